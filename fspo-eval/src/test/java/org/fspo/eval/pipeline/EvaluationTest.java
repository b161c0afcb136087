package org.fspo.eval.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.eval.judge.UtilityJudge;
import org.fspo.eval.metrics.AccuracyCell;
import org.fspo.eval.metrics.WinRateCell;
import org.fspo.eval.scoring.EvalConfig;
import org.fspo.eval.scoring.EvalEpisodesTest;
import org.fspo.eval.scoring.MethodModels;
import org.fspo.eval.scoring.MethodSpec;
import org.fspo.eval.scoring.RewardScorerTest.FakeModel;
import org.junit.jupiter.api.Test;

class EvaluationTest {
  static EvalConfig config() {
    return new EvalConfig(List.of(0, 2, 4), 3, 1, 200, 0.95, 4, EvalConfig.LOCAL, 2,
        List.of("fspo", "population"), new EvalConfig.WinRateConfig(true, "population", List.of(0, 4), 2, null), null);
  }

  static Map<String, Evaluation.MethodRun> methods() {
    Map<String, Evaluation.MethodRun> methods = new LinkedHashMap<>();
    // fspo's fake reward grows with shots (chosen logp +1 per shot): margin 0 at 0 shots (wrong), > 0 after
    methods.put("fspo", new Evaluation.MethodRun(MethodSpec.fspo(0.1),
        () -> new MethodModels(new FakeModel(-1), new FakeModel(0), null),
        e -> e.shots().isEmpty() ? "x" : "a long answer"));
    methods.put("population", new Evaluation.MethodRun(MethodSpec.population(0.1),
        () -> new MethodModels(new FakeModel(-1), new FakeModel(0), null), e -> "medium"));
    return methods;
  }

  @Test
  void scoresEveryMethodOnTheSameEpisodesAndJudgesAgainstTheBaseline() {
    UtilityJudge utility = new UtilityJudge((user, a, b) -> Integer.compare(a.length(), b.length()));
    Evaluation.Result r = Evaluation.run(config(), EvalEpisodesTest.store(), methods(),
        new Evaluation.Judge(UtilityJudge.NAME, utility::judge), null, "run", "store", null);
    assertEquals(List.of(), r.plan().skippedUsers()); // users a, b, c have 12, 10, 5 pairs: all >= 4 shots + 1
    Map<String, AccuracyCell> fspo = r.report().rewardAccuracy().get("fspo");
    assertEquals(0.0, fspo.get("0").accuracy(), 0.0);  // equal rewards at 0 shots: strict > is wrong
    assertEquals(1.0, fspo.get("4").accuracy(), 0.0);
    assertEquals(3 * 3, fspo.get("4").nPairs());       // 3 users x 3 queries
    assertEquals(0.0, r.report().rewardAccuracy().get("population").get("4").accuracy(), 0.0); // always 0 shots

    Map<String, WinRateCell> win = r.report().winRate().get("fspo");
    assertEquals(List.of("0", "4"), List.copyOf(win.keySet()));
    assertEquals(0.0, win.get("0").winRate(), 0.0);
    assertEquals(1.0, win.get("4").winRate(), 0.0);
    assertEquals(3 * 2, win.get("4").n()); // 3 users x 2 win-rate queries
    assertNull(r.report().winRate().get("population"));
    assertEquals(r.scores().size(), 2 * r.plan().episodes().size());
    assertTrue(r.judgments().stream().allMatch(j -> j.item().baselineOutput().equals("medium")));
  }
}
