package org.fspo.eval.metrics;

/**
 * The rating of one generated response of a method: one unit of {@link SampleQuality}.
 *
 * @param userId  the held-out user it was written for
 * @param pairId  the query pair whose question it answers
 * @param method  the method that wrote it (the win-rate baseline included)
 * @param shots   context pairs the method saw
 * @param rating  well-formedness and utility on the user's scale
 */
public record SampleScore(String userId, String pairId, String method, int shots, SampleRating rating) {}
