package org.fspo.train.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The LM head fused with log-softmax, evaluated only where a log-prob is needed: the N scored hidden states are
 * gathered first, so the [N, V] logits never exist for the prompt. For row n with target t:
 * {@code logp = z_t - max(z) - log(sum(exp(z - max(z))))}, and {@code dL/dz = g (onehot(t) - softmax(z))}.
 * The softmax and its gradient are one fused pass per row over the logits.
 */
public final class LogProbHead {
  private LogProbHead() {}

  /**
   * Saved for the backward pass.
   *
   * @param rows    flat indices of the scored hidden states in [M, C]
   * @param hidden  [N, C] the gathered hidden states
   * @param probs   [N, V] softmax of their logits
   * @param targets [N] target ids
   */
  public record Cache(int[] rows, INDArray hidden, INDArray probs, int[] targets) {}

  /** hiddenAll [M, C], head weight w [V, C]; returns log p(target) per scored row. */
  public static double[] forward(INDArray hiddenAll, int[] rows, int[] targets, INDArray w, Cache[] cache) {
    INDArray h = Nd4j.pullRows(hiddenAll, 1, rows); // [N, C]
    INDArray z = Ops.linear(h, w); // [N, V], becomes softmax(z) in place
    int V = (int) z.size(1);
    FloatBuffer zs = Parallel.floats(z);
    double[] logp = new double[rows.length];
    Parallel.rows(rows.length, V, (from, to) -> {
      for (int n = from; n < to; n++) {
        int o = n * V;
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < V; v++) max = Math.max(max, zs.get(o + v));
        double sum = 0;
        for (int v = 0; v < V; v++) {
          float e = (float) Math.exp(zs.get(o + v) - max);
          sum += e;
          zs.put(o + v, e);
        }
        logp[n] = Math.log(zs.get(o + targets[n])) - Math.log(sum); // = z_t - max - log(sum)
        if (zs.get(o + targets[n]) == 0) logp[n] = Double.NEGATIVE_INFINITY;
        float inv = (float) (1 / sum);
        for (int v = 0; v < V; v++) zs.put(o + v, zs.get(o + v) * inv);
      }
    });
    if (cache != null) {
      cache[0] = new Cache(rows, h, z, targets);
    } else {
      Ops.close(h, z);
    }
    return logp;
  }

  /**
   * Given dLoss/dlogp per scored row, adds the head weight's gradient into dW [V, C] (null: a frozen head, skipped)
   * and returns dLoss/dhiddenAll [M, C] (zero on unscored rows, summed where one hidden state is scored twice).
   */
  public static INDArray backward(Cache c, double[] dLogp, INDArray w, INDArray dW, long m) {
    INDArray dz = c.probs(); // [N, V], overwritten with g (onehot - softmax)
    int V = (int) dz.size(1);
    FloatBuffer zs = Parallel.floats(dz);
    Parallel.rows(c.rows().length, V, (from, to) -> {
      for (int n = from; n < to; n++) {
        float g = (float) dLogp[n];
        for (int v = 0; v < V; v++) zs.put(n * V + v, -g * zs.get(n * V + v));
        zs.put(n * V + c.targets()[n], zs.get(n * V + c.targets()[n]) + g);
      }
    });
    if (dW != null) dW.addi(Ops.mm(dz, c.hidden(), true, false)); // [V, C]
    INDArray dh = Ops.mm(dz, w, false, false); // [N, C]
    Ops.close(dz, c.hidden());
    return Ops.scatterAddRows(m, c.rows(), dh);
  }
}
