package org.fspo.eval.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Quality of one method's generated responses at one shot count: one leaf of report.json's {@code sample_quality}.
 *
 * @param wellFormedRate    fraction of responses from which the procedural parser read a complete attribute vector
 * @param meanUtility       mean of the users' utility of the responses
 * @param meanMinUtility    mean of the least possible utility for the same users and questions (-sum |w|)
 * @param meanMaxUtility    mean of the most possible utility (+sum |w|); the scale meanUtility sits on
 * @param meanScaledUtility mean of (utility - min) / (max - min): 0 the worst possible response, 1 the best
 * @param n                 responses rated
 * @param nUsers            distinct users among them
 */
public record SampleQualityCell(
    @JsonProperty("well_formed_rate") double wellFormedRate,
    @JsonProperty("mean_utility") double meanUtility,
    @JsonProperty("mean_min_utility") double meanMinUtility,
    @JsonProperty("mean_max_utility") double meanMaxUtility,
    @JsonProperty("mean_scaled_utility") double meanScaledUtility,
    @JsonProperty("n") int n,
    @JsonProperty("n_users") int nUsers) {}
