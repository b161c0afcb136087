package org.fspo.eval.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.eval.judge.UtilityJudge;
import org.fspo.eval.judge.SampleRater;
import org.fspo.eval.metrics.AccuracyCell;
import org.fspo.eval.metrics.SampleQualityCell;
import org.fspo.eval.metrics.SampleRating;
import org.fspo.eval.report.ShownSample;
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
    assertTrue(r.report().sampleQuality().isEmpty()); // no latent utility given
    assertEquals(9, r.report().promptFit().get("fspo").get("4").n());
  }

  @Test
  void withLatentUtilityTheReportRatesSamplesAndBalancesAccuracy() {
    // user a prefers long (pattern +), b and c short (pattern -); utility = length / 100, well formed if > 5 chars
    SampleRater rater = new SampleRater() {
      @Override public SampleRating rate(String user, String text) {
        return new SampleRating(text.length() > 5, text.length() / 100.0, -1, 1);
      }

      @Override public String pattern(String user) {
        return user.equals("a") ? "length:+" : "length:-";
      }
    };
    UtilityJudge utility = new UtilityJudge((user, a, b) -> Integer.compare(a.length(), b.length()));
    Evaluation.Result r = Evaluation.run(config(), EvalEpisodesTest.store(), methods(),
        new Evaluation.Judge(UtilityJudge.NAME, utility::judge), rater, null, "run", "store", null);
    AccuracyCell fspo4 = r.report().rewardAccuracy().get("fspo").get("4");
    assertEquals(1.0, fspo4.balancedAccuracy(), 0.0); // every pair correct in both groups
    assertEquals(2, fspo4.nPatterns());
    SampleQualityCell q4 = r.report().sampleQuality().get("fspo").get("4");
    assertEquals(1.0, q4.wellFormedRate(), 0.0);      // "a long answer": 13 chars
    assertEquals(0.13, q4.meanUtility(), 1e-12);
    assertEquals(0.0, r.report().sampleQuality().get("fspo").get("0").wellFormedRate(), 0.0); // "x"
    assertEquals(6, r.report().sampleQuality().get("population").get("4").n()); // baseline once per query
    assertEquals(2, r.report().samples().size());
    assertEquals(List.of("fspo", "population"),
        r.report().samples().get(0).responses().stream().map(ShownSample.Response::method).toList());
  }
}
