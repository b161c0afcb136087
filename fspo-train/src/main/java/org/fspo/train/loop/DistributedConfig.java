package org.fspo.train.loop;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * train.distributed: data-parallel training over N workers (docs/train.md, "Distributed training"). Each worker
 * takes a disjoint shard of every step's episodes, by position; their gradients are summed every step, so the run
 * equals the single-process one within float32 summation-order rounding.
 *
 * @param workers   data-parallel workers (Spark barrier tasks); 1 trains in one process (default 1)
 * @param syncEvery 1: sum gradients every step (exact data parallel). K &gt; 1: local SGD, each worker steps on its
 *                  own shard and the parameters and optimizer moments are averaged every K steps, at checkpoints and
 *                  at each stage's end (default 1)
 * @param hashEvery compare a hash of the weights across workers every this many steps, and at each stage's start
 *                  and end; a mismatch stops the run (default 50)
 */
public record DistributedConfig(
    @JsonProperty("workers") int workers,
    @JsonProperty("sync_every") int syncEvery,
    @JsonProperty("hash_every") int hashEvery) {

  public DistributedConfig {
    TrainConfig.require(workers >= 1, "distributed.workers", "at least 1", workers);
    TrainConfig.require(syncEvery >= 1, "distributed.sync_every", "at least 1", syncEvery);
    TrainConfig.require(hashEvery >= 1, "distributed.hash_every", "at least 1", hashEvery);
  }

  public static DistributedConfig defaults() {
    return new DistributedConfig(1, 1, 50);
  }

  /** Local SGD: parameters are averaged every sync_every steps instead of gradients summed every step. */
  public boolean localSgd() {
    return syncEvery > 1;
  }
}
