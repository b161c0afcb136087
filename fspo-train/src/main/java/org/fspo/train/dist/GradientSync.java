package org.fspo.train.dist;

import java.util.LinkedHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What data-parallel training needs from its peers: sums of named arrays (every parameter's gradient for full
 * fine-tuning, only the adapter's with LoRA, or parameters and optimizer moments for local SGD), exact sums of a few
 * doubles (metric sums, token counts), and a gather of a few longs (weight hashes). Every worker calls the same
 * methods in the same order with the same names and shapes; every worker gets the same bits back.
 */
public interface GradientSync extends AutoCloseable {
  int rank();

  int world();

  /** Replaces each array, in place, by its element-wise sum over the workers (float32 arithmetic). */
  void sum(LinkedHashMap<String, INDArray> arrays);

  /** The element-wise sums over the workers, added in rank order in double, so every worker gets the same bits. */
  default double[] sum(double[] values) {
    long[] bits = new long[values.length];
    for (int i = 0; i < bits.length; i++) bits[i] = Double.doubleToRawLongBits(values[i]);
    long[][] all = gather(bits);
    double[] out = new double[values.length];
    for (long[] worker : all) {
      for (int i = 0; i < out.length; i++) out[i] += Double.longBitsToDouble(worker[i]);
    }
    return out;
  }

  /** Every worker's values (equal lengths), by rank. Also a barrier: it returns once every worker has called it. */
  long[][] gather(long[] values);

  @Override
  void close();

  /** One process: sums are the identity. */
  static GradientSync single() {
    return new GradientSync() {
      @Override
      public int rank() {
        return 0;
      }

      @Override
      public int world() {
        return 1;
      }

      @Override
      public void sum(LinkedHashMap<String, INDArray> arrays) {}

      @Override
      public long[][] gather(long[] values) {
        return new long[][] {values.clone()};
      }

      @Override
      public void close() {}
    };
  }
}
