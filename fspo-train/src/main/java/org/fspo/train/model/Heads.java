package org.fspo.train.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Moves attention heads between the token-major layout of the projections, [N = R*T, W] with head h of a block of
 * columns at col0 + h*hs, and the head-major layout attention works in, [R, heads, T, hs]: one bulk copy of hs floats
 * per (token, head), instead of a strided permute-and-copy.
 */
public final class Heads {
  private Heads() {}

  /** x[:, col0 : col0 + heads*hs] of x [R*T, W] as [R, heads, T, hs]. */
  public static INDArray split(INDArray x, long col0, long R, long T, long heads, long hs) {
    INDArray out = Nd4j.createUninitialized(x.dataType(), R, heads, T, hs);
    FloatBuffer src = Parallel.floats(Ops.dense(x)), dst = Parallel.floats(out);
    int W = (int) x.size(1), n = (int) hs;
    Parallel.rows((int) (R * T), (int) (heads * hs), (from, to) -> {
      for (int rt = from; rt < to; rt++) {
        long r = rt / T, t = rt % T;
        for (long h = 0; h < heads; h++) {
          dst.put((int) (((r * heads + h) * T + t) * hs), src, (int) (rt * (long) W + col0 + h * hs), n);
        }
      }
    });
    return out;
  }

  /** out[:, col0 : col0 + heads*hs] = y [R, heads, T, hs] in the token-major layout of out [R*T, W]. */
  public static void merge(INDArray y, INDArray out, long col0) {
    long R = y.size(0), heads = y.size(1), T = y.size(2), hs = y.size(3);
    FloatBuffer src = Parallel.floats(Ops.dense(y)), dst = Parallel.floats(out);
    int W = (int) out.size(1), n = (int) hs;
    Parallel.rows((int) (R * T), (int) (heads * hs), (from, to) -> {
      for (int rt = from; rt < to; rt++) {
        long r = rt / T, t = rt % T;
        for (long h = 0; h < heads; h++) {
          dst.put((int) (rt * (long) W + col0 + h * hs), src, (int) (((r * heads + h) * T + t) * hs), n);
        }
      }
    });
  }

  /** y [R, heads, T, hs] as a new [R*T, heads*hs]. */
  public static INDArray merge(INDArray y) {
    INDArray out = Nd4j.createUninitialized(y.dataType(), y.size(0) * y.size(2), y.size(1) * y.size(3));
    merge(y, out, 0);
    return out;
  }
}
