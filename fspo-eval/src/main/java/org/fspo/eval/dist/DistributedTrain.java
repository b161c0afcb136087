package org.fspo.eval.dist;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.PreferencePair;
import org.fspo.train.loop.RefPrecompute;
import org.fspo.train.loop.RunLayout;
import org.fspo.train.loop.TrainConfig;
import org.fspo.train.loop.TrainJob;
import org.fspo.train.loop.Trainer;

/**
 * {@code fspo train --master URL --set train.distributed.workers=4}: data-parallel SFT then FSPO on N Spark barrier
 * tasks (docs/train.md, "Distributed training"). In order:
 *
 * <ol>
 *   <li>checks: N task slots free ({@link ExecutorSlots}), the run folder a shared one ({@link SharedFolder}), the
 *       folder rules of {@code fspo train}; then the folder is claimed;</li>
 *   <li>stage 1 in one barrier stage ({@code RDD.barrier().mapPartitions}) of N tasks ({@link BarrierWorker}),
 *       ending once rank 0 has written sft/;</li>
 *   <li>the reference's log-probs for every episode stage 2 will draw, by N plain tasks, appended on the driver to
 *       the same ref-cache file the trainer reads ({@link RefPrecompute});</li>
 *   <li>stage 2 in a second barrier stage, resuming the run (its workers find sft/ and the filled cache).</li>
 * </ol>
 *
 * Spark retries a barrier stage whole when a task is lost; every attempt after the first resumes from the newest
 * checkpoint in the shared run folder, so no step is repeated or skipped.
 */
public final class DistributedTrain {
  private DistributedTrain() {}

  public static Trainer.Result run(SparkSession spark, TrainConfig config, List<PreferencePair> pairs, Path out,
      Path init, Path initAdapter, Trainer.Options options, PrintWriter log) {
    int n = config.distributed().workers();
    if (pairs.isEmpty()) {
      throw new FspoUserException("the store has no train pairs; import or synthesize data first, or check the "
          + "split (a test fraction of 1 puts every user in test)", FspoUserException.NO_INPUT);
    }
    ExecutorSlots.require(spark, n);
    TrainJob.checkFolder(config, out, options.resume());
    SharedFolder.require(spark, out, n);
    RunLayout run = new RunLayout(out);
    run.claim(options.resume());
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> ranks = IntStream.range(0, n).boxed().toList();
    WorkerJob job = WorkerJob.of(config, pairs, out, init, initAdapter, options.refCache(), options.resume());
    log.println("distributed: " + n + " workers, sync_every " + config.distributed().syncEvery());
    log.flush();
    if (!(options.resume() && Files.isDirectory(run.sft()))) {
      sc.setJobDescription("fspo train: stage 1 (sft) on " + n + " workers");
      barrier(sc, ranks, new BarrierWorker(job, true));
    }
    if (!Files.isDirectory(run.finalModel())) fillReferenceCache(sc, config, out, options.refCache(), job, n, log);
    sc.setJobDescription("fspo train: stage 2 (fspo) on " + n + " workers");
    WorkerJob resumeJob = WorkerJob.of(config, pairs, out, init, initAdapter, options.refCache(), true);
    List<String> done = barrier(sc, ranks, new BarrierWorker(resumeJob, false));
    boolean completed = done.stream().allMatch(s -> s.endsWith(" true"));
    return new Trainer.Result(completed, run);
  }

  /**
   * One barrier stage: a task per rank, gang-scheduled (all start together, a lost one restarts them all). The
   * shuffle after it makes it a shuffle-map stage: Spark reruns a failed barrier shuffle-map stage (up to
   * spark.stage.maxConsecutiveAttempts, default 4), but aborts the job when a barrier result stage fails.
   */
  private static List<String> barrier(JavaSparkContext sc, List<Integer> ranks, BarrierWorker worker) {
    org.apache.spark.rdd.RDD<String> tasks = sc.parallelize(ranks, ranks.size()).rdd().barrier()
        .mapPartitions(worker, false, scala.reflect.ClassTag$.MODULE$.apply(String.class));
    return tasks.toJavaRDD().repartition(1).collect();
  }

  /** Stage 2's reference log-probs by N plain tasks, one part of the episodes each; new lines go into the cache. */
  private static void fillReferenceCache(JavaSparkContext sc, TrainConfig config, Path out, Path refCache,
      WorkerJob job, int n, PrintWriter log) {
    sc.setJobDescription("fspo train: reference log-probs");
    String dir = out.toAbsolutePath().normalize().toString();
    List<String> lines = sc.parallelize(IntStream.range(0, n).boxed().toList(), n)
        .flatMap(part -> RefPrecompute.lines(job.config(), job.pairs(), Path.of(dir), part, n).iterator())
        .collect();
    Path cacheDir = refCache != null ? refCache : new RunLayout(out).refCache();
    try {
      int fresh = RefPrecompute.append(cacheDir, RefPrecompute.referenceHash(out), new ArrayList<>(lines));
      log.println("reference log-probs: " + lines.size() + " computed by " + n + " tasks, " + fresh + " new pairs in "
          + cacheDir);
      log.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the reference cache in " + cacheDir, e);
    }
  }
}
