package org.fspo.train.loss;

/**
 * Stage-1 loss (the paper's few-shot Pref-FT): the mean negative log-likelihood per completion token over a batch,
 * {@code loss = -sum_b logp_b / sum_b tokens_b}, where logp_b is sequence b's summed response log-prob. Every token
 * weighs the same, as in a causal-LM cross-entropy over the completion tokens.
 */
public final class SftLoss {
  private SftLoss() {}

  /**
   * @param seqLogps [B] summed response log-probs
   * @param tokens   [B] response token counts
   * @return {loss, dLoss/dSeqLogp (the same for every sequence)}; with no tokens the loss is 0
   */
  public static double[] compute(double[] seqLogps, int[] tokens) {
    double sum = 0;
    long count = 0;
    for (int b = 0; b < seqLogps.length; b++) {
      sum += seqLogps[b];
      count += tokens[b];
    }
    if (count == 0) return new double[] {0, 0};
    return new double[] {-sum / count, -1.0 / count};
  }
}
