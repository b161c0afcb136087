package org.fspo.eval.metrics;

/**
 * One judged comparison: a method's generated response against the baseline's for one held-out prompt of a user.
 *
 * @param userId           the held-out user
 * @param pairId           the query pair whose prompt was answered
 * @param domain           the pair's domain
 * @param method           a {@link Method#key()}
 * @param shots            context pairs the method saw
 * @param outcome          the verdict after both orders
 * @param modelProbability the judge's probability that the method's output is better, averaged over both orders
 *                         (AlpacaEval 2's weighted preference), or null when the judge gave no usable logprobs
 * @param modelLength      length of the method's output in characters
 * @param baselineLength   length of the baseline's output in characters
 */
public record PairOutcome(
    String userId,
    String pairId,
    String domain,
    String method,
    int shots,
    Outcome outcome,
    Double modelProbability,
    int modelLength,
    int baselineLength) {}
