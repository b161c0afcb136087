package org.fspo.eval.judge;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.fspo.eval.metrics.SampleScore;

/**
 * Rates every response behind the win rates: each method's response of each judgment, and the baseline's response
 * once per (user, query, shots) (the baseline is listed under its own method key at the judged shot count).
 */
public final class SampleRatings {
  private SampleRatings() {}

  public static List<SampleScore> rate(List<Judgment> judgments, String baseline, SampleRater rater) {
    List<SampleScore> out = new ArrayList<>();
    Set<String> baselineSeen = new LinkedHashSet<>();
    for (Judgment j : judgments) {
      JudgeItem i = j.item();
      out.add(new SampleScore(i.userId(), i.pairId(), i.method(), i.shots(), rater.rate(i.userId(), i.modelOutput())));
      if (baselineSeen.add(i.userId() + "|" + i.pairId() + "|" + i.shots())) {
        out.add(new SampleScore(i.userId(), i.pairId(), baseline, i.shots(),
            rater.rate(i.userId(), i.baselineOutput())));
      }
    }
    return out;
  }
}
