package org.fspo.train.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The LM head fused with log-softmax, evaluated only where a log-prob is needed: the N scored hidden states are
 * gathered first, so the [N, V] logits never exist for the prompt. For row n with target t:
 * {@code logp = z_t - max(z) - log(sum(exp(z - max(z))))}, and {@code dL/dz = g (onehot(t) - softmax(z))}.
 * The softmax and its gradient are one fused pass per row over the logits.
 *
 * <p>Memory: the logits are computed in chunks of at most {@code chunk} rows ({@link #chunkRows}: chunk x V x 4
 * bytes &lt;= {@link #CHUNK_BYTES}), each in a scratch workspace reused by the next chunk, so with a 152k vocabulary
 * no [N, V] array exists. When all N rows fit one chunk the softmax is kept for the backward pass (as fast as
 * before); otherwise only the per-row log-sum-exp is kept and the backward pass recomputes each chunk's logits
 * (one more [chunk, C] x [C, V] matmul per chunk) and accumulates dW and dh chunk by chunk.
 */
public final class LogProbHead {
  /** Bytes one chunk of float logits may take: 64 MiB (about 110 rows at Qwen2.5's 151936-token vocabulary). */
  public static final long CHUNK_BYTES = 64L << 20;
  private static final String SCRATCH = "fspo-lm-head";

  private LogProbHead() {}

  /** Rows per chunk for a vocabulary of V: floor(CHUNK_BYTES / (4 V)), at least 1. */
  public static int chunkRows(long vocab) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, CHUNK_BYTES / (4 * vocab)));
  }

  /**
   * Saved for the backward pass.
   *
   * @param rows    flat indices of the scored hidden states in [M, C]
   * @param hidden  [N, C] the gathered hidden states
   * @param lse     [N] log(sum(exp(z))) of each row's logits, for recomputing the softmax chunk by chunk
   * @param probs   [N, V] softmax of the logits when N fits one chunk, else null (recomputed in backward)
   * @param targets [N] target ids
   * @param chunk   rows per chunk
   */
  public record Cache(int[] rows, INDArray hidden, double[] lse, INDArray probs, int[] targets, int chunk) {}

  /** hiddenAll [M, C], head weight w [V, C]; returns log p(target) per scored row, chunks of {@link #chunkRows}. */
  public static double[] forward(INDArray hiddenAll, int[] rows, int[] targets, INDArray w, Cache[] cache) {
    return forward(hiddenAll, rows, targets, w, chunkRows(w.size(0)), cache);
  }

  /** As above, with at most chunk rows of logits at a time. */
  public static double[] forward(INDArray hiddenAll, int[] rows, int[] targets, INDArray w, int chunk,
      Cache[] cache) {
    INDArray h = Nd4j.pullRows(hiddenAll, 1, rows); // [N, C]
    int N = rows.length;
    double[] logp = new double[N], lse = new double[N];
    if (cache != null && N <= chunk) { // one chunk: keep its softmax for the backward pass
      INDArray z = Ops.linear(h, w); // [N, V], becomes softmax(z) in place
      logSoftmaxRows(z, targets, 0, logp, lse, true);
      cache[0] = new Cache(rows, h, lse, z, targets, chunk);
      return logp;
    }
    for (int from = 0; from < N; from += chunk) {
      int to = Math.min(N, from + chunk);
      try (MemoryWorkspace ws = Workspaces.open(SCRATCH)) {
        INDArray z = Ops.linear(rowsOf(h, from, to), w); // [to - from, V], gone with the scratch workspace
        logSoftmaxRows(z, targets, from, logp, lse, false);
      }
    }
    if (cache != null) {
      cache[0] = new Cache(rows, h, lse, null, targets, chunk);
    } else {
      Ops.close(h);
    }
    return logp;
  }

  /**
   * Rows n of z [n1, V] (global row off + n): logp[off + n], lse[off + n], and z overwritten with softmax(z) when
   * writeProbs.
   */
  private static void logSoftmaxRows(INDArray z, int[] targets, int off, double[] logp, double[] lse,
      boolean writeProbs) {
    int V = (int) z.size(1);
    FloatBuffer zs = Parallel.floats(z);
    Parallel.rows((int) z.size(0), V, (from, to) -> {
      for (int n = from; n < to; n++) {
        int o = n * V, t = targets[off + n];
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < V; v++) max = Math.max(max, zs.get(o + v));
        double sum = 0;
        for (int v = 0; v < V; v++) {
          float e = (float) Math.exp(zs.get(o + v) - max);
          sum += e;
          if (writeProbs) zs.put(o + v, e);
        }
        float et = writeProbs ? zs.get(o + t) : (float) Math.exp(zs.get(o + t) - max);
        logp[off + n] = et == 0 ? Double.NEGATIVE_INFINITY : Math.log(et) - Math.log(sum); // = z_t - max - log(sum)
        lse[off + n] = max + Math.log(sum);
        if (!writeProbs) continue;
        float inv = (float) (1 / sum);
        for (int v = 0; v < V; v++) zs.put(o + v, zs.get(o + v) * inv);
      }
    });
  }

  /**
   * Given dLoss/dlogp per scored row, adds the head weight's gradient into dW [V, C] (null: a frozen head, skipped)
   * and returns dLoss/dhiddenAll [M, C] (zero on unscored rows, summed where one hidden state is scored twice).
   */
  public static INDArray backward(Cache c, double[] dLogp, INDArray w, INDArray dW, long m) {
    int N = c.rows().length;
    INDArray dh;
    if (c.probs() != null) {
      INDArray dz = c.probs(); // [N, V], overwritten with g (onehot - softmax)
      gradRows(dz, c, dLogp, 0, false);
      if (dW != null) Nd4j.gemm(dz, c.hidden(), dW, true, false, 1.0, 1.0); // dW [V, C] += dz^T h
      dh = Ops.mm(dz, w, false, false); // [N, C]
      Ops.close(dz);
    } else {
      dh = Nd4j.createUninitialized(c.hidden().dataType(), N, c.hidden().size(1)); // [N, C]
      FloatBuffer dhs = Parallel.floats(dh);
      int C = (int) dh.size(1);
      for (int from = 0; from < N; from += c.chunk()) {
        int to = Math.min(N, from + c.chunk());
        try (MemoryWorkspace ws = Workspaces.open(SCRATCH)) {
          INDArray hc = rowsOf(c.hidden(), from, to); // [n, C]
          INDArray dz = Ops.linear(hc, w); // [n, V] the logits again, overwritten with g (onehot - softmax)
          gradRows(dz, c, dLogp, from, true);
          if (dW != null) Nd4j.gemm(dz, hc, dW, true, false, 1.0, 1.0); // dW [V, C] += dz^T h
          INDArray dhc = Ops.mm(dz, w, false, false); // [n, C]
          dhs.put(from * C, Parallel.floats(dhc), 0, (to - from) * C);
        }
      }
    }
    Ops.close(c.hidden());
    return Ops.scatterAddRows(m, c.rows(), dh);
  }

  /** dz rows (global row off + n) = g (onehot(t) - p), p the softmax: dz itself, or exp(z - lse) when fromLogits. */
  private static void gradRows(INDArray dz, Cache c, double[] dLogp, int off, boolean fromLogits) {
    int V = (int) dz.size(1);
    FloatBuffer zs = Parallel.floats(dz);
    Parallel.rows((int) dz.size(0), V, (from, to) -> {
      for (int n = from; n < to; n++) {
        int o = n * V, t = c.targets()[off + n];
        float g = (float) dLogp[off + n];
        double lse = c.lse()[off + n];
        for (int v = 0; v < V; v++) {
          float p = fromLogits ? (float) Math.exp(zs.get(o + v) - lse) : zs.get(o + v);
          zs.put(o + v, -g * p);
        }
        zs.put(o + t, zs.get(o + t) + g);
      }
    });
  }

  /** Rows [from, to) of h [N, C] as a dense [to - from, C] copy. */
  private static INDArray rowsOf(INDArray h, int from, int to) {
    int[] idx = new int[to - from];
    for (int i = 0; i < idx.length; i++) idx[i] = from + i;
    return Nd4j.pullRows(h, 1, idx);
  }
}
