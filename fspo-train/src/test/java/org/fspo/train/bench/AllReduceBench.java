package org.fspo.train.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.fspo.train.dist.LoopbackRing;

/**
 * Loopback bandwidth of {@link RingAllReduce}: WORKERS threads in this JVM, each with its own ring sockets, sum a
 * float array of each size REPEATS times; prints one JSON line per size:
 * {"bytes", "workers", "seconds" (median), "gbit_per_s"}, where gbit_per_s is the bus bandwidth NCCL reports:
 * the bytes each worker sends, 2(N-1)/N of the array, divided by the time.
 *
 * <p>usage: AllReduceBench WORKERS REPEATS BYTES...
 */
public final class AllReduceBench {
  private AllReduceBench() {}

  public static void main(String[] args) throws Exception {
    int world = Integer.parseInt(args[0]), repeats = Integer.parseInt(args[1]);
    for (int a = 2; a < args.length; a++) {
      long bytes = Long.parseLong(args[a]);
      double seconds = median(run(world, repeats, (int) (bytes / 4)));
      double sent = 2.0 * (world - 1) / world * bytes;
      System.out.printf(Locale.ROOT, "{\"bytes\": %d, \"workers\": %d, \"seconds\": %.6f, \"gbit_per_s\": %.3f}%n",
          bytes, world, seconds, sent * 8 / seconds / 1e9);
    }
  }

  /** Each repeat's time on the slowest worker (a sum ends when the last worker has its result). */
  private static double[] run(int world, int repeats, int floats) throws Exception {
    List<double[]> times = LoopbackRing.run(world, (rank, ring) -> {
      float[] data = new float[floats];
      Arrays.fill(data, 1f);
      double[] t = new double[repeats];
      ring.sum(data); // warm-up
      for (int i = 0; i < repeats; i++) {
        long t0 = System.nanoTime();
        ring.sum(data);
        t[i] = (System.nanoTime() - t0) / 1e9;
      }
      return t;
    });
    double[] slowest = new double[repeats];
    for (double[] t : times) {
      for (int i = 0; i < repeats; i++) slowest[i] = Math.max(slowest[i], t[i]);
    }
    return slowest;
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
