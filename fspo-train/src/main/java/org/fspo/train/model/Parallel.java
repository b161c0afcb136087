package org.fspo.train.model;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fused element-wise kernels are plain Java loops over the arrays' off-heap memory, split into contiguous row ranges
 * over the available cores. One fused pass replaces a chain of ND4J ops, each of which would read and write the whole
 * array and pay a native call and a thread-pool barrier.
 */
final class Parallel {
  private static final int THREADS = Runtime.getRuntime().availableProcessors();

  private Parallel() {}

  /** Work on rows [from, to). */
  interface RowRange {
    void run(int from, int to);
  }

  /** Runs body over [0, rows) in up to THREADS contiguous chunks (one chunk when rows are few). */
  static void rows(int rows, int rowCost, RowRange body) {
    int chunks = (int) Math.max(1, Math.min(THREADS, (long) rows * rowCost / 65536));
    if (chunks == 1) {
      body.run(0, rows);
      return;
    }
    IntStream.range(0, chunks).parallel().forEach(c -> body.run(rows * c / chunks, rows * (c + 1) / chunks));
  }

  /** The float32 memory of a dense c-order array, for reading and writing in place. */
  static FloatBuffer floats(INDArray a) {
    if (a.dataType() != DataType.FLOAT || !isDense(a)) {
      throw new IllegalArgumentException("fused kernels need dense c-order float32 arrays, got " + a.shapeInfoToString());
    }
    return a.data().asNioFloat();
  }

  /** True when a's elements are buffer elements [0, length) in c order (a fresh array, or a reshape of one). */
  static boolean isDense(INDArray a) {
    if (a.offset() != 0 || a.data().offset() != 0 || a.data().length() < a.length()) return false;
    long expected = 1;
    for (int d = a.rank() - 1; d >= 0; d--) {
      if (a.size(d) != 1 && a.stride(d) != expected) return false; // a size-1 dim's stride does not matter
      expected *= a.size(d);
    }
    return true;
  }
}
