package org.fspo.train.dist;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** N workers as threads on loopback, each with its own ring connections, exactly as a barrier task would hold them. */
public final class LoopbackRing {
  private LoopbackRing() {}

  /** What one worker does with its connected ring. */
  @FunctionalInterface
  public interface Worker<T> {
    T run(int rank, RingAllReduce ring) throws Exception;
  }

  /** Runs {@code worker} on {@code world} workers and returns their results by rank. */
  public static <T> List<T> run(int world, Worker<T> worker) throws Exception {
    List<ServerSocket> listeners = new ArrayList<>();
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      ServerSocket s = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
      listeners.add(s);
      addresses.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(world);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int r = 0; r < world; r++) {
        int rank = r;
        futures.add(pool.submit(() -> {
          try (RingAllReduce ring = RingAllReduce.connect(rank, listeners.get(rank), addresses)) {
            return worker.run(rank, ring);
          }
        }));
      }
      List<T> out = new ArrayList<>();
      java.util.concurrent.ExecutionException first = null;
      for (Future<T> f : futures) {
        try {
          out.add(f.get(600, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
          // a worker that failed makes its neighbours fail with "lost the ... neighbour": report the cause instead
          boolean echo = String.valueOf(e.getCause().getMessage()).contains(": lost the ");
          if (first == null || (!echo && String.valueOf(first.getCause().getMessage()).contains(": lost the "))) {
            first = e;
          }
        }
      }
      if (first != null) throw first;
      return out;
    } finally {
      pool.shutdownNow();
      for (ServerSocket s : listeners) s.close();
    }
  }
}
