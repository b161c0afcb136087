package org.fspo.eval.metrics;

/**
 * The scores of one held-out preference pair under one method at one shot count: one row of pair_scores.parquet.
 * Log-probs are summed over response tokens (the official FSPO convention). The implicit reward of a completion y
 * is {@code beta * (log pi(y | x, shots) - log pi_ref(y | x, shots))} (DPO, Eq. 5; FSPO uses the same reward).
 *
 * @param userId         the held-out user
 * @param pairId         the query pair scored
 * @param domain         the pair's domain, for slicing
 * @param method         a {@link Method#key()}
 * @param shots          context pairs in the prompt (may be fewer than requested for users with few pairs)
 * @param policyChosen   log pi(chosen | prompt)
 * @param policyRejected log pi(rejected | prompt)
 * @param refChosen      log pi_ref(chosen | prompt)
 * @param refRejected    log pi_ref(rejected | prompt)
 * @param beta           the reward scale
 */
public record PairScore(
    String userId,
    String pairId,
    String domain,
    String method,
    int shots,
    double policyChosen,
    double policyRejected,
    double refChosen,
    double refRejected,
    double beta) {

  public PairScore {
    if (!(beta > 0)) {
      throw new IllegalArgumentException("beta must be > 0, got " + beta);
    }
    if (shots < 0) {
      throw new IllegalArgumentException("shots must be >= 0, got " + shots);
    }
  }

  public double rewardChosen() {
    return beta * (policyChosen - refChosen);
  }

  public double rewardRejected() {
    return beta * (policyRejected - refRejected);
  }

  /** rewards/margins: chosen reward minus rejected reward. */
  public double margin() {
    return rewardChosen() - rewardRejected();
  }

  /** rewards/accuracies, strict as in TRL: a tie counts as wrong. */
  public boolean correct() {
    return rewardChosen() > rewardRejected();
  }
}
