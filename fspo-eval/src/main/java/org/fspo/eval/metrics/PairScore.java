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
 * @param shotsDropped   context shots dropped (the last ones first, as in training) so the pair fits max_seq_len
 * @param promptCut      the prompt was still cut from the left with no shot left (both completions keep that prompt)
 * @param responsesCut   completions whose tail was cut (0, 1 or 2): only when a completion alone nearly fills
 *                       max_seq_len
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
    double beta,
    int shotsDropped,
    boolean promptCut,
    int responsesCut) {

  /** A pair scored whole: nothing dropped or cut. */
  public PairScore(String userId, String pairId, String domain, String method, int shots, double policyChosen,
      double policyRejected, double refChosen, double refRejected, double beta) {
    this(userId, pairId, domain, method, shots, policyChosen, policyRejected, refChosen, refRejected, beta, 0, false,
        0);
  }

  public PairScore {
    if (!(beta > 0)) {
      throw new IllegalArgumentException("beta must be > 0, got " + beta);
    }
    if (shots < 0) {
      throw new IllegalArgumentException("shots must be >= 0, got " + shots);
    }
    if (shotsDropped < 0 || shotsDropped > shots || responsesCut < 0 || responsesCut > 2) {
      throw new IllegalArgumentException("shots_dropped must be in [0, shots] and responses_cut in [0, 2], got "
          + shotsDropped + " and " + responsesCut);
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
