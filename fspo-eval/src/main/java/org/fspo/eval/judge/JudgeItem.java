package org.fspo.eval.judge;

/**
 * One comparison to judge: a method's response and the baseline's response to the same held-out prompt of a user.
 *
 * @param userId          the held-out user
 * @param pairId          the query pair whose prompt was answered
 * @param domain          the pair's domain
 * @param method          the method that produced {@code modelOutput}
 * @param shots           context pairs the method saw
 * @param instruction     the question
 * @param userDescription the user's description, shown to the judge (null: "(none given)")
 * @param modelOutput     the method's response
 * @param baselineOutput  the baseline's response
 */
public record JudgeItem(
    String userId,
    String pairId,
    String domain,
    String method,
    int shots,
    String instruction,
    String userDescription,
    String modelOutput,
    String baselineOutput) {}
