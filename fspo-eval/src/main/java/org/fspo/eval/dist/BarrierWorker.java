package org.fspo.eval.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import java.io.Serializable;
import scala.runtime.AbstractFunction1;
import org.fspo.train.dist.RingAllReduce;
import org.fspo.train.dist.RingGradientSync;
import org.fspo.train.loop.Replicas;
import org.fspo.train.loop.TrainConfig;
import org.fspo.train.loop.TrainJob;
import org.fspo.train.loop.Trainer;

/**
 * One task of the barrier stage: rank = the partition id. It opens a listening socket, exchanges "host:port" with
 * every other task through {@link BarrierTaskContext#allGather}, connects the ring ({@link RingAllReduce}) and runs
 * the trainer as that rank ({@link Replicas}). A stage attempt after the first resumes (--resume) from the newest
 * checkpoint rank 0 wrote, so a retried stage neither repeats nor skips a step. Returns "rank completed".
 */
final class BarrierWorker extends AbstractFunction1<scala.collection.Iterator<Integer>,
    scala.collection.Iterator<String>> implements Serializable {
  private final WorkerJob job;
  private final boolean stopAfterSft;

  /** @param stopAfterSft end once sft/ is written (the driver then fills the reference cache) */
  BarrierWorker(WorkerJob job, boolean stopAfterSft) {
    this.job = job;
    this.stopAfterSft = stopAfterSft;
  }

  @Override
  public scala.collection.Iterator<String> apply(scala.collection.Iterator<Integer> partition) {
    return scala.jdk.javaapi.CollectionConverters.asScala(run());
  }

  private Iterator<String> run() {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int rank = ctx.partitionId();
    String host = ctx.getTaskInfos()[rank].address().split(":")[0];
    TrainConfig config = job.config();
    SharedFolder.requireVisible(job.outPath(), host); // before the ring: a task that cannot see RUN_DIR says so
    try (ServerSocket listener = new ServerSocket(0, 16, InetAddress.getByName("0.0.0.0"))) {
      String[] all = ctx.allGather(host + ":" + listener.getLocalPort());
      List<InetSocketAddress> addresses = new ArrayList<>();
      for (String a : all) {
        int colon = a.lastIndexOf(':');
        addresses.add(new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
      }
      boolean resume = job.resume() || ctx.stageAttemptNumber() > 0;
      Trainer.StopHook stop = new Trainer.StopHook() {
        @Override
        public boolean stopAfter(String stage, long step) {
          return false;
        }

        @Override
        public boolean stopAfterSft() {
          return stopAfterSft;
        }
      };
      try (RingAllReduce ring = RingAllReduce.connect(rank, listener, addresses)) {
        Trainer.Result r = TrainJob.run(config, job.pairs(), job.outPath(), WorkerJob.path(job.init()),
            WorkerJob.path(job.initAdapter()), new Trainer.Options(resume, false, stop, WorkerJob.path(job.refCache())),
            WorkerJob.stderr(), new Replicas(new RingGradientSync(ring), config.distributed()));
        return List.of(rank + " " + r.completed()).iterator();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("distributed worker " + rank + " on " + host + ": " + e.getMessage(), e);
    }
  }
}
