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
    return new double[] {loss(sum, count), dSeqLogp(count)};
  }

  /**
   * The loss of a step whose counted sequences (over all its micro-batches) sum to {@code sumLogp} over
   * {@code totalTokens} response tokens; 0 with no tokens.
   */
  public static double loss(double sumLogp, long totalTokens) {
    return totalTokens == 0 ? 0 : -sumLogp / totalTokens;
  }

  /**
   * dLoss/dlogp_b of every counted sequence: {@code -1 / totalTokens}. It depends only on the step's token count,
   * so each micro-batch's backward pass can run before the others' forward passes (gradient accumulation).
   */
  public static double dSeqLogp(long totalTokens) {
    return totalTokens == 0 ? 0 : -1.0 / totalTokens;
  }
}
