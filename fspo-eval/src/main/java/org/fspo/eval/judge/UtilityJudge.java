package org.fspo.eval.judge;

import java.util.ArrayList;
import java.util.List;
import org.fspo.core.episode.PreferencePair;
import org.fspo.eval.metrics.Outcome;
import org.fspo.eval.metrics.UtilitySanity;

/**
 * Win rates and the label sanity check judged by the users' latent utility ({@link UtilityOracle}). Exact and
 * order-free, so there is no second order to ask, nothing inconsistent and nothing malformed; equal utility is a TIE.
 */
public final class UtilityJudge {
  public static final String NAME = "utility";

  private final UtilityOracle oracle;

  public UtilityJudge(UtilityOracle oracle) {
    this.oracle = oracle;
  }

  public Judgment judge(JudgeItem item) {
    int verdict = oracle.prefers(item.userId(), item.modelOutput(), item.baselineOutput());
    Outcome outcome = verdict > 0 ? Outcome.WIN : verdict < 0 ? Outcome.LOSS : Outcome.TIE;
    return new Judgment(item, NAME, NAME, outcome, null);
  }

  public List<Judgment> judgeAll(List<JudgeItem> items) {
    List<Judgment> out = new ArrayList<>(items.size());
    items.forEach(item -> out.add(judge(item)));
    return out;
  }

  /** Fraction of stored pairs whose chosen response the user's utility ranks strictly above the rejected one. */
  public UtilitySanity sanity(List<PreferencePair> pairs) {
    long agree = pairs.stream().filter(p -> oracle.prefers(p.userId(), p.chosen(), p.rejected()) > 0).count();
    int users = (int) pairs.stream().map(PreferencePair::userId).distinct().count();
    return new UtilitySanity(pairs.isEmpty() ? Double.NaN : (double) agree / pairs.size(), pairs.size(), users);
  }
}
