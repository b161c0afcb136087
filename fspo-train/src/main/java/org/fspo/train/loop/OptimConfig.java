package org.fspo.train.loop;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.fspo.train.optim.AdamW;
import org.fspo.train.optim.Ema;
import org.fspo.train.optim.LrSchedule;
import org.fspo.train.optim.Optimizer;
import org.fspo.train.optim.RmsProp;

/**
 * train.optim: the optimizer and batching, shared by both stages (each stage starts a fresh optimizer).
 *
 * @param name        adamw (torch.optim.AdamW, betas 0.9/0.999, eps 1e-8) or rmsprop (torch.optim.RMSprop, alpha
 *                    0.99, eps 1e-8, the official FSPO code's choice) (default adamw)
 * @param weightDecay decoupled for adamw, L2 for rmsprop (default 0.0)
 * @param warmupSteps optimizer steps of linear warm-up at the start of each stage (default 10)
 * @param decay       after warm-up: constant, linear or cosine, to zero at the stage's last step (default constant)
 * @param gradClip    global L2 norm the gradients are clipped to; 0 turns clipping off (default 1.0)
 * @param gradAccum   micro-batches accumulated per optimizer step (default 1)
 * @param batchPairs  preference pairs per micro-batch; each is two sequences (default 4)
 * @param emaDecay    decay of an exponential moving average of the weights that replaces them at each stage's end
 *                    ({@link Ema}); 0 turns it off (default 0.0)
 */
public record OptimConfig(
    @JsonProperty("name") String name,
    @JsonProperty("weight_decay") double weightDecay,
    @JsonProperty("warmup_steps") int warmupSteps,
    @JsonProperty("decay") String decay,
    @JsonProperty("grad_clip") double gradClip,
    @JsonProperty("grad_accum") int gradAccum,
    @JsonProperty("batch_pairs") int batchPairs,
    @JsonProperty("ema_decay") double emaDecay) {

  public OptimConfig {
    TrainConfig.require(name.equals("adamw") || name.equals("rmsprop"), "optim.name", "adamw or rmsprop", name);
    TrainConfig.require(weightDecay >= 0, "optim.weight_decay", "non-negative", weightDecay);
    TrainConfig.require(warmupSteps >= 0, "optim.warmup_steps", "non-negative", warmupSteps);
    TrainConfig.require(decay.equals("constant") || decay.equals("linear") || decay.equals("cosine"), "optim.decay",
        "constant, linear or cosine", decay);
    TrainConfig.require(gradClip >= 0, "optim.grad_clip", "non-negative", gradClip);
    TrainConfig.require(gradAccum >= 1, "optim.grad_accum", "at least 1", gradAccum);
    TrainConfig.require(batchPairs >= 1, "optim.batch_pairs", "at least 1", batchPairs);
    TrainConfig.require(emaDecay >= 0 && emaDecay < 1, "optim.ema_decay", "in [0, 1)", emaDecay);
  }

  public static OptimConfig defaults() {
    return new OptimConfig("adamw", 0.0, 10, "constant", 1.0, 1, 4, 0.0);
  }

  public Optimizer newOptimizer() {
    Optimizer opt = name.equals("adamw") ? AdamW.withWeightDecay(weightDecay) : RmsProp.withWeightDecay(weightDecay);
    return emaDecay > 0 ? new Ema(opt, emaDecay) : opt;
  }

  public LrSchedule schedule(double peak, long totalSteps) {
    return new LrSchedule(peak, warmupSteps, totalSteps, LrSchedule.Decay.valueOf(decay.toUpperCase()));
  }

  /** Pairs per optimizer step. */
  public int pairsPerStep() {
    return batchPairs * gradAccum;
  }
}
