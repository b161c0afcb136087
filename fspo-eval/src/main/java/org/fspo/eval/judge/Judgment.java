package org.fspo.eval.judge;

import org.fspo.eval.metrics.Outcome;
import org.fspo.eval.metrics.PairOutcome;

/**
 * A judged item with the raw answers kept for audit (judgments.jsonl).
 *
 * @param item             what was compared
 * @param rawModelFirst    the judge's raw answer with the method's output shown as "m"
 * @param rawModelSecond   the raw answer with the order swapped (the method's output shown as "M")
 * @param outcome          WIN/LOSS when both orders agree, INCONSISTENT when they disagree, MALFORMED when either
 *                         answer is not a single identifier
 * @param modelProbability mean over both orders of the judge's probability for the method's output, or null
 */
public record Judgment(
    JudgeItem item, String rawModelFirst, String rawModelSecond, Outcome outcome, Double modelProbability) {

  public PairOutcome toPairOutcome() {
    return new PairOutcome(item.userId(), item.pairId(), item.domain(), item.method(), item.shots(), outcome,
        modelProbability, item.modelOutput().length(), item.baselineOutput().length());
  }
}
