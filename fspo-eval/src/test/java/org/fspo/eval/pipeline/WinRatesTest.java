package org.fspo.eval.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.eval.generate.ResponseWriter;
import org.fspo.eval.judge.Judgment;
import org.fspo.eval.judge.UtilityJudge;
import org.fspo.eval.metrics.Outcome;
import org.fspo.eval.scoring.EvalEpisode;
import org.fspo.eval.scoring.EvalEpisodes;
import org.fspo.eval.scoring.EvalEpisodesTest;
import org.junit.jupiter.api.Test;

class WinRatesTest {
  @Test
  void everyMethodMeetsTheBaselineOnEveryEpisodeAndTheBaselineIsAskedOncePerQuery() {
    List<EvalEpisode> episodes = new EvalEpisodes(List.of(0, 4), 2, 3).plan(EvalEpisodesTest.store()).episodes();
    List<String> baselineCalls = new ArrayList<>();
    ResponseWriter baseline = e -> {
      baselineCalls.add(e.query().pairId());
      return "medium";
    };
    Map<String, ResponseWriter> methods = new LinkedHashMap<>();
    methods.put("fspo", e -> e.shots().size() >= 4 ? "much longer answer" : "tiny");
    methods.put("population", baseline);
    UtilityJudge judge = new UtilityJudge((user, a, b) -> Integer.compare(a.length(), b.length())); // likes long
    List<Judgment> judged = WinRates.judge(episodes, methods, "population", baseline, true, judge::judge);

    assertEquals(episodes.size(), judged.size()); // one comparison per episode: fspo vs population
    assertEquals(episodes.size() / 2, baselineCalls.size()); // zero-shot baseline: once per query, not per shot count
    for (Judgment j : judged) {
      assertEquals(j.item().shots() >= 4 ? Outcome.WIN : Outcome.LOSS, j.outcome());
      assertEquals("medium", j.item().baselineOutput());
    }
  }
}
