package org.fspo.train.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scaled dot-product attention with an additive mask and grouped-query heads (HF eager attention):
 * {@code softmax(q k^T / sqrt(hs) + mask) v}. Query head h reads key/value head h / (nh / nkv), as HF's repeat_kv
 * does; instead of repeating k and v, the g = nh / nkv query heads of a group are stacked along time, so one batched
 * matmul per group serves them and the k/v gradients sum over the group for free.
 *
 * <p>Causal blocking: queries run in blocks of {@link #BLOCK} (256; system property fspo.attention.block); the block
 * of queries [s, e) only needs keys [0, Lk - Lq + e), since every later key is masked for all of them. At 640 tokens
 * that skips about 30% of the score matrix (its matmuls, softmax and their gradients), and the result is the same.
 * Smaller blocks skip more but make smaller, less efficient matmuls: 64 and 128 measured slower than 256 here.
 *
 * <p>Shapes: R rows, nh query heads, nkv key/value heads, g = nh / nkv, Lq queries (the last Lq of the Lk keys'
 * positions), Lb queries in a block, Kb keys it sees, hs head size.
 */
public final class Attention {
  static final int BLOCK = Integer.getInteger("fspo.attention.block", 256);

  private Attention() {}

  /**
   * Saved for the backward pass.
   *
   * @param q     [R, nh, Lq, hs] queries already scaled by 1/sqrt(hs)
   * @param k     [R, nkv, Lk, hs]
   * @param v     [R, nkv, Lk, hs]
   * @param probs per query block, [R, nkv, g*Lb, Kb] attention weights
   * @param blockSize queries per block
   */
  public record Cache(INDArray q, INDArray k, INDArray v, INDArray[] probs, int blockSize) {
    void close() {
      Ops.close(q, k, v);
      Ops.close(probs);
    }
  }

  /** q [R, nh, Lq, hs], k and v [R, nkv, Lk, hs], mask [R, 1, Lq, Lk]; returns [R, nh, Lq, hs]. */
  public static INDArray forward(INDArray q, INDArray k, INDArray v, INDArray mask, Cache[] cache) {
    return forward(q, k, v, mask, cache, BLOCK);
  }

  /** As above with a given query block size (tests compare block sizes). */
  static INDArray forward(INDArray q, INDArray k, INDArray v, INDArray mask, Cache[] cache, int blockSize) {
    long R = q.size(0), nh = q.size(1), Lq = q.size(2), hs = q.size(3), nkv = k.size(1), Lk = k.size(2);
    long g = nh / nkv;
    int blocks = (int) ((Lq + blockSize - 1) / blockSize);
    INDArray qs = scaled(q, (float) (1.0 / Math.sqrt(hs))); // [R, nh, Lq, hs]
    INDArray out = Nd4j.createUninitialized(q.dataType(), R, nh, Lq, hs);
    INDArray[] probs = new INDArray[blocks];
    for (int b = 0; b < blocks; b++) {
      long s = (long) b * blockSize, e = Math.min(Lq, s + blockSize), Lb = e - s, Kb = Lk - Lq + e;
      INDArray qb = slice(qs, s, e).reshape('c', R, nkv, g * Lb, hs); // heads of a group stacked in time
      INDArray kb = slice(k, 0, Kb), vb = slice(v, 0, Kb); // [R, nkv, Kb, hs]
      INDArray scores = Ops.mm(qb, kb, false, true); // [R, nkv, g*Lb, Kb]
      INDArray maskBlock = maskBlock(mask, s, e, Kb); // [R, 1, Lb, Kb]
      Softmax.maskedInPlace(scores.reshape('c', R, nh, Lb, Kb), maskBlock); // mask shared by heads
      probs[b] = scores;
      INDArray ob = Ops.mm(probs[b], vb, false, false); // [R, nkv, g*Lb, hs]
      copyInto(out, s, ob.reshape('c', R, nh, Lb, hs), false, 1);
      Ops.close(ob, qb, kb, vb, maskBlock);
      if (cache == null) Ops.close(probs[b]);
    }
    if (cache != null) {
      cache[0] = new Cache(qs, k, v, probs, blockSize);
    } else {
      Ops.close(qs);
    }
    return out;
  }

  /** Returns {dq [R, nh, Lq, hs], dk [R, nkv, Lk, hs], dv [R, nkv, Lk, hs]}; closes the cache. */
  public static INDArray[] backward(INDArray dOut, Cache c) {
    long R = dOut.size(0), nh = dOut.size(1), Lq = dOut.size(2), hs = dOut.size(3);
    long nkv = c.k().size(1), Lk = c.k().size(2), g = nh / nkv;
    double scale = 1.0 / Math.sqrt(hs);
    INDArray dq = Nd4j.createUninitialized(dOut.dataType(), R, nh, Lq, hs);
    INDArray dk = Nd4j.zeros(dOut.dataType(), R, nkv, Lk, hs), dv = Nd4j.zeros(dOut.dataType(), R, nkv, Lk, hs);
    for (int b = 0; b < c.probs().length; b++) {
      long s = (long) b * c.blockSize(), e = Math.min(Lq, s + c.blockSize()), Lb = e - s, Kb = Lk - Lq + e;
      INDArray p = c.probs()[b]; // [R, nkv, g*Lb, Kb]
      INDArray d = slice(dOut, s, e).reshape('c', R, nkv, g * Lb, hs);
      INDArray qb = slice(c.q(), s, e).reshape('c', R, nkv, g * Lb, hs);
      INDArray kb = slice(c.k(), 0, Kb), vb = slice(c.v(), 0, Kb); // [R, nkv, Kb, hs]
      INDArray dvb = Ops.mm(p, d, true, false); // [R, nkv, Kb, hs]
      copyInto(dv, 0, dvb, true, 1);
      INDArray dScores = Softmax.backwardInPlace(p, Ops.mm(d, vb, false, true)); // [R, nkv, g*Lb, Kb]
      INDArray dqb = Ops.mm(dScores, kb, false, false); // [R, nkv, g*Lb, hs], times scale as it is copied
      copyInto(dq, s, dqb.reshape('c', R, nh, Lb, hs), false, (float) scale);
      INDArray dkb = Ops.mm(dScores, qb, true, false); // [R, nkv, Kb, hs]; q was pre-scaled
      copyInto(dk, 0, dkb, true, 1);
      Ops.close(dScores, dqb, d, qb, kb, vb, dvb, dkb);
    }
    c.close();
    return new INDArray[] {dq, dk, dv};
  }

  /** Dense copy of time steps [s, e) of x [R, H, L, hs]: one bulk copy per (row, head). */
  private static INDArray slice(INDArray x, long s, long e) {
    long R = x.size(0), H = x.size(1), L = x.size(2), hs = x.size(3);
    INDArray out = Nd4j.createUninitialized(x.dataType(), R, H, e - s, hs);
    FloatBuffer src = Parallel.floats(x), dst = Parallel.floats(out);
    int chunk = (int) ((e - s) * hs);
    for (int rh = 0; rh < R * H; rh++) {
      dst.put(rh * chunk, src, (int) ((rh * L + s) * hs), chunk);
    }
    return out;
  }

  /** x[:, :, s:s+Lb, :] = k * part (or += part when add), part [R, H, Lb, hs], x [R, H, L, hs] dense. */
  private static void copyInto(INDArray x, long s, INDArray part, boolean add, float k) {
    long R = x.size(0), H = x.size(1), L = x.size(2), hs = x.size(3);
    FloatBuffer dst = Parallel.floats(x), src = Parallel.floats(Ops.dense(part));
    int chunk = (int) (part.size(2) * hs);
    Parallel.rows((int) (R * H), chunk, (from, to) -> {
      for (int rh = from; rh < to; rh++) {
        int o = (int) ((rh * L + s) * hs), i = rh * chunk;
        if (!add && k == 1) {
          dst.put(o, src, i, chunk);
        } else if (!add) {
          for (int j = 0; j < chunk; j++) dst.put(o + j, k * src.get(i + j));
        } else {
          for (int j = 0; j < chunk; j++) dst.put(o + j, dst.get(o + j) + src.get(i + j));
        }
      }
    });
  }

  /** k * x as a new array, in one Java pass (an ND4J scalar op is a native call and a thread-pool barrier). */
  private static INDArray scaled(INDArray x, float k) {
    INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape());
    FloatBuffer src = Parallel.floats(Ops.dense(x)), dst = Parallel.floats(out);
    int n = (int) x.length(), cols = (int) x.size(x.rank() - 1);
    Parallel.rows(n / cols, cols, (from, to) -> {
      for (int i = from * cols; i < to * cols; i++) dst.put(i, k * src.get(i));
    });
    return out;
  }

  /** Dense mask[:, :, s:e, 0:Kb] of mask [R, 1, Lq, Lk]. */
  private static INDArray maskBlock(INDArray mask, long s, long e, long Kb) {
    long R = mask.size(0), Lq = mask.size(2), Lk = mask.size(3);
    INDArray out = Nd4j.createUninitialized(mask.dataType(), R, 1, e - s, Kb);
    FloatBuffer src = Parallel.floats(Ops.dense(mask)), dst = Parallel.floats(out);
    for (long r = 0; r < R; r++) {
      for (long i = s; i < e; i++) dst.put((int) ((r * (e - s) + i - s) * Kb), src, (int) ((r * Lq + i) * Lk), (int) Kb);
    }
    return out;
  }
}
