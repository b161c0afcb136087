package org.fspo.train.optim;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * When a plain Java loop may run over ND4J arrays' memory: float32, not a view, C order, and every element of the
 * buffer belongs to the array (so element i of the array is element i of {@code data().asNioFloat()}). The
 * optimizer's per-tensor work is a few flops per element, where ND4J's per-op dispatch, not arithmetic, dominates.
 */
final class FloatLoops {
  private FloatLoops() {}

  static boolean plain(INDArray... arrays) {
    long n = arrays[0].length();
    for (INDArray a : arrays) {
      if (a.dataType() != DataType.FLOAT || a.isView() || a.ordering() != 'c' || a.length() != n
          || a.data().length() != n || n > Integer.MAX_VALUE / 4) { // a NIO view holds at most 2^31 bytes
        return false;
      }
    }
    return true;
  }

  /** Sum of squares of a plain array's elements, accumulated in double. */
  static double sumOfSquares(INDArray a) {
    FloatBuffer b = a.data().asNioFloat();
    double sq = 0;
    for (int i = 0, n = (int) a.length(); i < n; i++) {
      double x = b.get(i);
      sq += x * x;
    }
    return sq;
  }

  /** Multiplies a plain array's elements by {@code coef} in place. */
  static void scale(INDArray a, float coef) {
    FloatBuffer b = a.data().asNioFloat();
    ranges((int) a.length(), (from, to) -> {
      for (int i = from; i < to; i++) b.put(i, b.get(i) * coef);
    });
  }

  /** Element range [from, to). */
  interface Range {
    void run(int from, int to);
  }

  private static final int CORES = Runtime.getRuntime().availableProcessors();

  /**
   * body over [0, n) in contiguous ranges, one per core when n is large (a full fine-tuning's embedding is 28M
   * elements), else on this thread. For element-wise updates only: every element gets the same arithmetic either way.
   */
  static void ranges(int n, Range body) {
    int k = (int) Math.min(CORES, n / (1 << 16));
    if (k <= 1) {
      body.run(0, n);
      return;
    }
    IntStream.range(0, k).parallel().forEach(c -> body.run((int) ((long) n * c / k), (int) ((long) n * (c + 1) / k)));
  }
}
