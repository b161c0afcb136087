package org.fspo.train.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scaled dot-product attention with an additive mask and grouped-query heads (HF eager attention):
 * {@code softmax(q k^T / sqrt(hs) + mask) v}. Query head h reads key/value head h / (nh / nkv), as HF's repeat_kv
 * does; instead of repeating k and v, the g = nh / nkv query heads of a group are stacked along time, so one batched
 * matmul per group serves them and the k/v gradients sum over the group for free.
 *
 * <p>Shapes: R rows, nh query heads, nkv key/value heads, g = nh / nkv, Lq queries, Lk keys, hs head size.
 */
public final class Attention {
  private Attention() {}

  /**
   * Saved for the backward pass.
   *
   * @param q     [R, nkv, g*Lq, hs] queries already scaled by 1/sqrt(hs)
   * @param k     [R, nkv, Lk, hs]
   * @param v     [R, nkv, Lk, hs]
   * @param probs [R, nkv, g*Lq, Lk] attention weights
   */
  public record Cache(INDArray q, INDArray k, INDArray v, INDArray probs) {
    void close() {
      Ops.close(q, k, v, probs);
    }
  }

  /** q [R, nh, Lq, hs], k and v [R, nkv, Lk, hs], mask [R, 1, Lq, Lk]; returns [R, nh, Lq, hs]. */
  public static INDArray forward(INDArray q, INDArray k, INDArray v, INDArray mask, Cache[] cache) {
    long R = q.size(0), nh = q.size(1), Lq = q.size(2), hs = q.size(3), nkv = k.size(1), Lk = k.size(2);
    long g = nh / nkv;
    INDArray qs = q.mul(1.0 / Math.sqrt(hs)).reshape('c', R, nkv, g * Lq, hs); // heads of a group stacked in time
    INDArray scores = Ops.mm(qs, k, false, true); // [R, nkv, g*Lq, Lk]
    scores.reshape('c', R, nh, Lq, Lk).addi(mask); // mask [R, 1, Lq, Lk] broadcasts over heads
    INDArray probs = Ops.softmaxLastInPlace(scores);
    INDArray out = Ops.mm(probs, v, false, false); // [R, nkv, g*Lq, hs]
    if (cache != null) {
      cache[0] = new Cache(qs, k, v, probs);
    } else {
      Ops.close(qs, probs);
    }
    return out.reshape('c', R, nh, Lq, hs);
  }

  /** Returns {dq [R, nh, Lq, hs], dk [R, nkv, Lk, hs], dv [R, nkv, Lk, hs]}; closes the cache. */
  public static INDArray[] backward(INDArray dOut, Cache c) {
    long R = dOut.size(0), nh = dOut.size(1), Lq = dOut.size(2), hs = dOut.size(3), nkv = c.k().size(1);
    INDArray d = dOut.reshape('c', R, nkv, nh / nkv * Lq, hs); // [R, nkv, g*Lq, hs]
    INDArray dv = Ops.mm(c.probs(), d, true, false); // [R, nkv, Lk, hs]
    INDArray dScores = Ops.softmaxBackwardInPlace(c.probs(), Ops.mm(d, c.v(), false, true)); // [R, nkv, g*Lq, Lk]
    double scale = 1.0 / Math.sqrt(hs);
    INDArray dq = Ops.mm(dScores, c.k(), false, false).muli(scale); // [R, nkv, g*Lq, hs]
    INDArray dk = Ops.mm(dScores, c.q(), true, false); // [R, nkv, Lk, hs]; q was pre-scaled
    Ops.close(dScores);
    c.close();
    return new INDArray[] {dq.reshape('c', R, nh, Lq, hs), dk, dv};
  }
}
