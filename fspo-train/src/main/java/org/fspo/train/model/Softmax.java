package org.fspo.train.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Attention's softmax over the last dimension and its backward, each one fused Java pass per row. */
final class Softmax {
  private Softmax() {}

  /** A mask entry at or below this hides its key (masks use -1e30; e^(-1e30 - max) is 0, so skip the exp). */
  private static final float MASKED_BELOW = -1e29f;

  /**
   * softmax(x + mask) over the last dimension, in place: x [R, H, Lb, K] scores, mask [R, 1, Lb, K] additive (0 or
   * -1e30), shared by the H heads. One fused pass per row; fully masked entries come out exactly 0.
   */
  static INDArray maskedInPlace(INDArray x, INDArray mask) {
    int H = (int) x.size(1), Lb = (int) x.size(2), K = (int) x.size(3), rows = (int) (x.length() / K);
    FloatBuffer xs = Parallel.floats(x), ms = Parallel.floats(Ops.dense(mask));
    Parallel.rows(rows, K, (from, to) -> {
      for (int row = from; row < to; row++) {
        int o = row * K, m = ((row / (H * Lb)) * Lb + row % Lb) * K; // mask row (r, i) of score row (r, h, i)
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < K; j++) {
          float v = xs.get(o + j) + ms.get(m + j);
          xs.put(o + j, v);
          max = Math.max(max, v);
        }
        double sum = 0;
        boolean any = max > MASKED_BELOW; // a row with a visible key: its masked entries are exactly 0
        for (int j = 0; j < K; j++) {
          float e = any && ms.get(m + j) <= MASKED_BELOW ? 0f : FastExp.exp(xs.get(o + j) - max);
          xs.put(o + j, e);
          sum += e;
        }
        float inv = (float) (1 / sum);
        for (int j = 0; j < K; j++) xs.put(o + j, xs.get(o + j) * inv);
      }
    });
    return x;
  }

  /** dS = P * (dP - sum(dP * P, last)); overwrites dP. One fused pass per row. */
  static INDArray backwardInPlace(INDArray p, INDArray dp) {
    int K = (int) p.size(p.rank() - 1), rows = (int) (p.length() / K);
    FloatBuffer ps = Parallel.floats(p), ds = Parallel.floats(dp);
    Parallel.rows(rows, K, (from, to) -> {
      for (int r = from; r < to; r++) {
        int o = r * K;
        double dot = 0;
        for (int j = 0; j < K; j++) dot += ds.get(o + j) * ps.get(o + j);
        float d = (float) dot;
        for (int j = 0; j < K; j++) ds.put(o + j, ps.get(o + j) * (ds.get(o + j) - d));
      }
    });
    return dp;
  }
}
