package org.fspo.train.loop;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * train.checkpoint: resumable checkpoints under RUN_DIR/checkpoints.
 *
 * @param everySteps write one every this many optimizer steps of a stage, and at the end of each stage (default 50)
 * @param keepLast   keep the newest this many; older ones are deleted after a new one is complete (default 2)
 */
public record CheckpointConfig(
    @JsonProperty("every_steps") int everySteps,
    @JsonProperty("keep_last") int keepLast) {

  public CheckpointConfig {
    TrainConfig.require(everySteps >= 1, "checkpoint.every_steps", "at least 1", everySteps);
    TrainConfig.require(keepLast >= 1, "checkpoint.keep_last", "at least 1", keepLast);
  }

  public static CheckpointConfig defaults() {
    return new CheckpointConfig(50, 2);
  }
}
