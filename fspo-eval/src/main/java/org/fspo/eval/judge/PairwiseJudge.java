package org.fspo.eval.judge;

import java.util.ArrayList;
import java.util.List;
import org.fspo.eval.metrics.Outcome;

/**
 * Judges each comparison in both orders to cancel position bias (AlpacaEval and the FSPO paper): first with the
 * method's output as "m" and the baseline's as "M", then swapped. Both answers must name the same output for a WIN or
 * LOSS; otherwise the pair is INCONSISTENT and dropped from the win rate. A malformed answer in either order makes the
 * pair MALFORMED. The weighted preference (AlpacaEval 2) averages the judge's probability for the method's output
 * over the two orders, when both replies carry logprobs for "m" or "M".
 */
public final class PairwiseJudge {
  private final JudgeClient client;

  public PairwiseJudge(JudgeClient client) {
    this.client = client;
  }

  public Judgment judge(JudgeItem item) {
    JudgeReply modelFirst = client.complete(
        JudgePrompt.messages(item.instruction(), item.modelOutput(), item.baselineOutput(), item.userDescription()));
    JudgeReply modelSecond = client.complete(
        JudgePrompt.messages(item.instruction(), item.baselineOutput(), item.modelOutput(), item.userDescription()));
    Verdict v1 = Verdict.parse(modelFirst.text());
    Verdict v2 = Verdict.parse(modelSecond.text());
    Outcome outcome;
    if (v1 == Verdict.MALFORMED || v2 == Verdict.MALFORMED) {
      outcome = Outcome.MALFORMED;
    } else {
      boolean modelWinsFirst = v1 == Verdict.FIRST;   // method shown as "m"
      boolean modelWinsSecond = v2 == Verdict.SECOND; // method shown as "M"
      outcome = modelWinsFirst != modelWinsSecond ? Outcome.INCONSISTENT
          : modelWinsFirst ? Outcome.WIN : Outcome.LOSS;
    }
    Double p1 = Verdict.probability(modelFirst.firstTokenTopLogprobs(), Verdict.FIRST);
    Double p2 = Verdict.probability(modelSecond.firstTokenTopLogprobs(), Verdict.SECOND);
    Double probability = p1 == null || p2 == null ? null : (p1 + p2) / 2;
    return new Judgment(item, modelFirst.text(), modelSecond.text(), outcome, probability);
  }

  public List<Judgment> judgeAll(List<JudgeItem> items) {
    List<Judgment> out = new ArrayList<>(items.size());
    items.forEach(item -> out.add(judge(item)));
    return out;
  }
}
