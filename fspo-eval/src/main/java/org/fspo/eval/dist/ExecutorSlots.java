package org.fspo.eval.dist;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;

/**
 * A barrier stage of N tasks needs N free task slots at once; with fewer, Spark would retry its slot check for
 * minutes (spark.scheduler.barrier.maxConcurrentTasksCheck.*) before failing. Checked up front instead, waiting a
 * little for executors that are still registering.
 */
final class ExecutorSlots {
  static final long WAIT_MS = 30_000;

  private ExecutorSlots() {}

  static void require(SparkSession spark, int workers) {
    SparkContext sc = spark.sparkContext();
    long until = System.currentTimeMillis() + (sc.isLocal() ? 0 : WAIT_MS);
    int slots = slots(sc);
    while (slots < workers && System.currentTimeMillis() < until) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      slots = slots(sc);
    }
    if (slots < workers) {
      throw new FspoUserException("train.distributed.workers is " + workers + " but the cluster (" + sc.master()
          + ") has " + slots + " task slot(s); lower train.distributed.workers or add executors or cores (a barrier "
          + "stage runs all its tasks at once)", FspoUserException.CONFIG);
    }
  }

  /** Tasks the cluster can run at once: what Spark's own barrier check counts (executor cores / spark.task.cpus). */
  static int slots(SparkContext sc) {
    return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
  }
}
