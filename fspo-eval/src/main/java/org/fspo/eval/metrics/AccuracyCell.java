package org.fspo.eval.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Reward accuracy of one method at one shot count: one leaf of report.json's {@code reward_accuracy}.
 *
 * @param accuracy   fraction of pairs whose chosen reward is strictly above the rejected reward
 * @param ciLow      lower end of the 95% percentile bootstrap interval over users
 * @param ciHigh     upper end of that interval
 * @param meanMargin mean over pairs of (chosen reward - rejected reward)
 * @param nPairs     pairs scored
 * @param nUsers     distinct users among them
 * @param balancedAccuracy mean over the users' attribute sign patterns of each pattern's accuracy
 *                   ({@link BalancedAccuracy}); null when the users have no latent utility
 * @param nPatterns  sign-pattern groups behind balancedAccuracy; null with it
 */
public record AccuracyCell(
    @JsonProperty("accuracy") double accuracy,
    @JsonProperty("ci_low") double ciLow,
    @JsonProperty("ci_high") double ciHigh,
    @JsonProperty("mean_margin") double meanMargin,
    @JsonProperty("n_pairs") int nPairs,
    @JsonProperty("n_users") int nUsers,
    @JsonProperty("balanced_accuracy") Double balancedAccuracy,
    @JsonProperty("n_patterns") Integer nPatterns) {

  /** A cell without balanced accuracy (users without latent utility). */
  public AccuracyCell(double accuracy, double ciLow, double ciHigh, double meanMargin, int nPairs, int nUsers) {
    this(accuracy, ciLow, ciHigh, meanMargin, nPairs, nUsers, null, null);
  }
}
