package org.fspo.eval.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How often a procedural user's own latent utility ranks the stored chosen response strictly above the rejected
 * one, over the held-out pairs. The labels come from that utility, so anything below 1.0 means the store and the
 * utility disagree (a bug), not a weak model.
 */
public record UtilitySanity(
    @JsonProperty("accuracy") double accuracy,
    @JsonProperty("n_pairs") int nPairs,
    @JsonProperty("n_users") int nUsers) {}
