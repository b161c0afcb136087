package org.fspo.train.checkpoint;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a run stands, saved as trainer_state.json in each checkpoint. Together with the weights and the optimizer
 * buffers it is everything a resumed run needs to continue exactly: the episodes of an epoch are a function of
 * (seed, stage, epoch), so the data position is (epoch, step_in_epoch) and the random state is (seed, epoch).
 *
 * @param stage          "sft" or "fspo"
 * @param step           optimizer steps done in this stage
 * @param epoch          the epoch the next step is in (0-based)
 * @param stepInEpoch    steps of that epoch already done
 * @param optimizerSteps the optimizer's own step count (bias correction)
 * @param seed           the run's seed
 * @param rngStream      the sampler stream of the next epoch: a function of seed, stage and epoch, kept for audit
 * @param refHash        fspo: the reference checkpoint's hash (null in sft)
 */
public record TrainerState(
    @JsonProperty("stage") String stage,
    @JsonProperty("step") long step,
    @JsonProperty("epoch") long epoch,
    @JsonProperty("step_in_epoch") long stepInEpoch,
    @JsonProperty("optimizer_steps") long optimizerSteps,
    @JsonProperty("seed") long seed,
    @JsonProperty("rng_stream") long rngStream,
    @JsonProperty("ref_hash") String refHash) {

  public static final String SFT = "sft", FSPO = "fspo";

  /** 1 for sft, 2 for fspo: orders checkpoints across stages. */
  public int stageOrder() {
    return stage.equals(SFT) ? 1 : 2;
  }
}
