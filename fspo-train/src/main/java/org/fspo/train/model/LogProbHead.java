package org.fspo.train.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The LM head fused with log-softmax, evaluated only where a log-prob is needed: the N scored hidden states are
 * gathered first, so the [N, V] logits never exist for the prompt. For row n with target t:
 * {@code logp = z_t - max(z) - log(sum(exp(z - max(z))))}, and {@code dL/dz = g (onehot(t) - softmax(z))}.
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
    INDArray z = Ops.linear(h, w); // [N, V]
    INDArray max = z.max(1); // [N]
    z.subiColumnVector(max);
    double[] logp = new double[rows.length];
    for (int n = 0; n < rows.length; n++) logp[n] = z.getFloat(n, targets[n]);
    Transforms.exp(z, false);
    INDArray sum = z.sum(1); // [N]
    for (int n = 0; n < rows.length; n++) logp[n] -= Math.log(sum.getDouble(n));
    if (cache != null) {
      cache[0] = new Cache(rows, h, z.diviColumnVector(sum), targets);
    } else {
      Ops.close(h, z);
    }
    return logp;
  }

  /**
   * Given dLoss/dlogp per scored row, adds the head weight's gradient into dW [V, C] and returns dLoss/dhiddenAll
   * [M, C] (zero on unscored rows, summed where one hidden state is scored twice).
   */
  public static INDArray backward(Cache c, double[] dLogp, INDArray w, INDArray dW, long m) {
    int N = c.rows().length;
    INDArray gCol = Nd4j.create(dLogp, new long[] {N}, 'c').castTo(w.dataType());
    INDArray dz = c.probs().muliColumnVector(gCol.neg()); // -g * softmax
    for (int n = 0; n < N; n++) dz.putScalar(n, c.targets()[n], dz.getFloat(n, c.targets()[n]) + dLogp[n]);
    dW.addi(Ops.mm(dz, c.hidden(), true, false)); // [V, C]
    INDArray dh = Ops.mm(dz, w, false, false); // [N, C]
    Ops.close(dz, c.hidden());
    return Ops.scatterAddRows(m, c.rows(), dh);
  }
}
