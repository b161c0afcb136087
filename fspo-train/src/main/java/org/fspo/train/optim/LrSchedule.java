package org.fspo.train.optim;

/**
 * Linear warm-up to the peak rate, then constant, linear or cosine decay to zero at {@code totalSteps}
 * (transformers' get_{constant,linear,cosine}_schedule_with_warmup). One difference: optimizer step s (0-based) uses
 * the factor at s + 1 during warm-up, so the first update is not wasted at rate 0.
 *
 * @param peak        the learning rate after warm-up
 * @param warmupSteps optimizer steps of linear warm-up (0: none)
 * @param totalSteps  optimizer steps of the whole stage (read by the decays)
 * @param decay       what follows the warm-up
 */
public record LrSchedule(double peak, int warmupSteps, long totalSteps, Decay decay) {
  public enum Decay { CONSTANT, LINEAR, COSINE }

  public LrSchedule {
    if (!(peak >= 0) || warmupSteps < 0 || totalSteps < 0) {
      throw new IllegalArgumentException("learning rate, warmup_steps and steps must be non-negative");
    }
  }

  /** The learning rate for optimizer step {@code step} (0-based). */
  public double at(long step) {
    if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
    if (decay == Decay.CONSTANT || totalSteps <= warmupSteps) return peak;
    double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
    return decay == Decay.LINEAR ? peak * (1 - progress) : peak * 0.5 * (1 + Math.cos(Math.PI * progress));
  }
}
