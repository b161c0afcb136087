package org.fspo.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RewardAccuracyTest {
  static PairScore score(String user, String method, int shots, double pc, double pr, double rc, double rr) {
    return new PairScore(user, user + "-p" + pc, "procedural", method, shots, pc, pr, rc, rr, 0.1);
  }

  @Test
  void rewardIsBetaTimesLogRatioAndTiesAreWrong() {
    PairScore s = score("u", "fspo", 0, -10, -12, -11, -11);
    assertEquals(0.1, s.rewardChosen(), 1e-12);    // 0.1 * (-10 - -11)
    assertEquals(-0.1, s.rewardRejected(), 1e-12); // 0.1 * (-12 - -11)
    assertEquals(0.2, s.margin(), 1e-12);
    assertTrue(s.correct());
    assertFalse(score("u", "fspo", 0, -10, -10, -11, -11).correct()); // equal rewards: strict > says wrong
  }

  @Test
  void tableNestsMethodThenShotsInCanonicalOrder() {
    List<PairScore> scores = new ArrayList<>();
    // population at 0 shots: users a (1 of 2 correct) and b (0 of 1)
    scores.add(score("a", "population", 0, -1, -2, -1, -1));  // margin +0.1, correct
    scores.add(score("a", "population", 0, -2, -1, -1, -1));  // margin -0.1
    scores.add(score("b", "population", 0, -1, -1, -1, -1));  // tie, margin 0
    // fspo at 8 and 2 shots, deliberately out of order
    scores.add(score("a", "fspo", 8, -1, -3, -1, -1));        // margin +0.2
    scores.add(score("b", "fspo", 2, -3, -1, -1, -1));        // margin -0.2
    Collections.shuffle(scores, new java.util.Random(3));

    Map<String, Map<String, AccuracyCell>> table = RewardAccuracy.table(scores, BootstrapCi.DEFAULT);
    assertEquals(List.of("fspo", "population"), List.copyOf(table.keySet()));
    assertEquals(List.of("2", "8"), List.copyOf(table.get("fspo").keySet()));

    AccuracyCell pop = table.get("population").get("0");
    assertEquals(1.0 / 3, pop.accuracy(), 1e-12);
    assertEquals(0.0, pop.meanMargin(), 1e-12); // (0.1 - 0.1 + 0) / 3
    assertEquals(3, pop.nPairs());
    assertEquals(2, pop.nUsers());
    assertTrue(pop.ciLow() <= pop.accuracy() && pop.accuracy() <= pop.ciHigh());
    // resampling users {a: 1/2, b: 0/1}: the pooled statistic takes values in {0, 1/3, 1/2}
    assertEquals(0.0, pop.ciLow(), 1e-12);
    assertEquals(0.5, pop.ciHigh(), 1e-12);

    AccuracyCell eight = table.get("fspo").get("8");
    assertEquals(1.0, eight.accuracy(), 1e-12);
    assertEquals(0.2, eight.meanMargin(), 1e-12);
    assertEquals(1, eight.nUsers());
  }

  @Test
  void inputOrderDoesNotChangeTheInterval() {
    List<PairScore> scores = new ArrayList<>();
    for (int u = 0; u < 30; u++) {
      for (int p = 0; p < 4; p++) {
        double pc = (u * 7 + p * 3) % 5 == 0 ? -3 : -1;
        scores.add(score("u" + u, "fspo", 4, pc, -2, -1, -1));
      }
    }
    AccuracyCell a = RewardAccuracy.cell(scores, BootstrapCi.DEFAULT);
    Collections.reverse(scores);
    assertEquals(a, RewardAccuracy.cell(scores, BootstrapCi.DEFAULT));
  }
}
