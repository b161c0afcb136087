package org.fspo.train.loop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.train.dist.GradientSync;
import org.fspo.train.model.CausalLm;
import org.fspo.train.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * This trainer's place among N data-parallel replicas of one model (train.distributed), and what keeps the replicas
 * identical. One process is the case N = 1: every method is then the identity or free.
 *
 * <ul>
 *   <li>Sharding: worker r of N takes positions [r n / N, (r+1) n / N) of a step's n episodes, so the shards are
 *       disjoint, cover the step in order, and differ in size by at most one when N does not divide n (a worker may
 *       get none on a short last step of an epoch: it contributes zero gradients).</li>
 *   <li>Writing: rank 0 alone writes the run folder (config, metrics.jsonl, checkpoints, init/, sft/, final/).</li>
 *   <li>Checks: a 64-bit hash of the trainable weights is compared every hash_every steps and at stage boundaries;
 *       a mismatch stops every worker with one line.</li>
 *   <li>Local SGD (sync_every K &gt; 1): parameters and optimizer moments are averaged every K steps.</li>
 * </ul>
 */
public final class Replicas {
  private static final Replicas SINGLE = new Replicas(GradientSync.single(), DistributedConfig.defaults());
  private final GradientSync sync;
  private final DistributedConfig config;

  /** @param sync connected to config.workers() peers (this worker's rank and the world size come from it) */
  public Replicas(GradientSync sync, DistributedConfig config) {
    if (sync.world() != config.workers()) {
      throw new IllegalArgumentException("the ring has " + sync.world() + " workers, train.distributed.workers is "
          + config.workers());
    }
    this.sync = sync;
    this.config = config;
  }

  public static Replicas single() {
    return SINGLE;
  }

  /** The plain trainer: no sums, no checks. A 1-worker ring is not single: it runs the whole distributed path. */
  boolean isSingle() {
    return this == SINGLE;
  }

  public int rank() {
    return sync.rank();
  }

  public int world() {
    return sync.world();
  }

  /** Rank 0 writes the run folder; the other workers only read it. */
  public boolean writes() {
    return sync.rank() == 0;
  }

  GradientSync sync() {
    return sync;
  }

  DistributedConfig config() {
    return config;
  }

  /** Returns once every worker has reached this call (after rank 0 wrote what the others will read). */
  public void barrier() {
    sync.gather(new long[] {rank()}); // one value: every worker must hear from its left neighbour
  }

  /** This worker's positions of a step's episodes: [r n / N, (r+1) n / N). */
  public <T> List<T> shard(List<T> step) {
    int n = step.size(), r = rank(), w = world();
    return step.subList((int) ((long) r * n / w), (int) ((long) (r + 1) * n / w));
  }

  /**
   * After step {@code step}'s update: under local SGD averages the replicas every sync_every steps and at
   * {@code boundary} (a checkpoint or the stage's end); compares weight hashes every hash_every steps and at boundary.
   */
  void afterUpdate(String stage, long step, boolean boundary, CausalLm model, Optimizer opt) {
    if (isSingle()) return;
    if (config.localSgd() && (step % config.syncEvery() == 0 || boundary)) average(model, opt);
    if (step % config.hashEvery() == 0 || boundary) requireSameWeights(stage, step, model);
  }

  /** Local SGD's sync: parameters and optimizer moments become their means over the workers. */
  private void average(CausalLm model, Optimizer opt) {
    LinkedHashMap<String, INDArray> all = new LinkedHashMap<>(model.parameters());
    for (Map.Entry<String, INDArray> e : opt.state().entrySet()) all.put("optim." + e.getKey(), e.getValue());
    sync.sum(all);
    for (INDArray a : all.values()) a.divi(world());
  }

  /** Stops every worker with one line when the replicas' weights differ (a bug or a flipped bit, never expected). */
  void requireSameWeights(String stage, long step, CausalLm model) {
    if (isSingle()) return;
    long[][] hashes = sync.gather(new long[] {hash(model.parameters())});
    List<Integer> differ = new ArrayList<>();
    for (int r = 1; r < hashes.length; r++) if (hashes[r][0] != hashes[0][0]) differ.add(r);
    if (!differ.isEmpty()) {
      throw new FspoUserException(stage + " step " + step + ": the weights of worker(s) " + differ + " differ from "
          + "worker 0's (hash " + Long.toHexString(hashes[differ.get(0)][0]) + " vs " + Long.toHexString(hashes[0][0])
          + "); the replicas diverged, so the run stopped; resume from the last checkpoint (--resume), and report it "
          + "if it recurs", TrainingDivergedException.EXIT_CODE);
    }
  }

  /** FNV-1a over every element's float bits and every name, in the map's order. */
  static long hash(Map<String, INDArray> params) {
    long h = 0xcbf29ce484222325L;
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      for (char c : e.getKey().toCharArray()) h = (h ^ c) * 0x100000001b3L;
      for (float v : e.getValue().dup('c').data().asFloat()) h = (h ^ Float.floatToRawIntBits(v)) * 0x100000001b3L;
    }
    return h;
  }
}
