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
 */
public record AccuracyCell(
    @JsonProperty("accuracy") double accuracy,
    @JsonProperty("ci_low") double ciLow,
    @JsonProperty("ci_high") double ciHigh,
    @JsonProperty("mean_margin") double meanMargin,
    @JsonProperty("n_pairs") int nPairs,
    @JsonProperty("n_users") int nUsers) {}
