package org.fspo.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BalancedAccuracyTest {
  /** A pair whose chosen reward is above (correct) or below the rejected one. */
  private static PairScore pair(String user, int i, boolean correct) {
    return new PairScore(user, user + "-" + i, "procedural", "fspo", 0, correct ? -1 : -2, correct ? -2 : -1,
        -1, -1, 0.1);
  }

  @Test
  void patternListsSignsInKeyOrder() {
    Map<String, Double> w = new LinkedHashMap<>();
    w.put("tone", -0.5);
    w.put("length", 1.2);
    w.put("jargon", 0.0);
    assertEquals("jargon:0 length:+ tone:-", BalancedAccuracy.pattern(w));
  }

  @Test
  void meanOverGroupsNotOverPairs() {
    // group "+": users a (2 pairs) and b (1 pair), all correct -> 1.0; group "-": user c, 1 pair, wrong -> 0.0
    List<PairScore> scores = List.of(pair("a", 0, true), pair("a", 1, true), pair("b", 0, true), pair("c", 0, false));
    Map<String, String> patterns = Map.of("a", "length:+", "b", "length:+", "c", "length:-");
    BalancedAccuracy.Result r = BalancedAccuracy.of(scores, patterns);
    assertEquals(0.5, r.accuracy(), 1e-12); // (1.0 + 0.0) / 2, while pooled is 3/4
    assertEquals(2, r.patterns());
    AccuracyCell cell = RewardAccuracy.cell(scores, BootstrapCi.DEFAULT, patterns);
    assertEquals(0.75, cell.accuracy(), 1e-12);
    assertEquals(0.5, cell.balancedAccuracy(), 1e-12);
    assertEquals(2, cell.nPatterns());
  }

  @Test
  void fixedBiasModelSitsAtChanceOnUnbalancedUsers() {
    // 0-shot model that always rates the long response higher; 3 users prefer short, 1 prefers long; each user has
    // 4 pairs long vs short. It is right exactly for the long-preferring user: pooled 4/16 = 0.25 (below chance),
    // balanced (0/12 + 4/4) / 2 = 0.5 (chance), the "0-shot at chance, not below".
    List<PairScore> scores = new ArrayList<>();
    Map<String, String> patterns = new LinkedHashMap<>();
    for (String user : List.of("s1", "s2", "s3", "l1")) {
      boolean prefersLong = user.startsWith("l");
      patterns.put(user, prefersLong ? "length:+" : "length:-");
      for (int i = 0; i < 4; i++) {
        scores.add(pair(user, i, prefersLong)); // chosen is the long one iff the user prefers long
      }
    }
    AccuracyCell cell = RewardAccuracy.cell(scores, BootstrapCi.DEFAULT, patterns);
    assertEquals(0.25, cell.accuracy(), 1e-12);
    assertEquals(0.5, cell.balancedAccuracy(), 1e-12);
  }

  @Test
  void nullWhenAUserHasNoPattern() {
    List<PairScore> scores = List.of(pair("a", 0, true), pair("x", 0, true));
    assertNull(BalancedAccuracy.of(scores, Map.of("a", "length:+")));
    AccuracyCell cell = RewardAccuracy.cell(scores, BootstrapCi.DEFAULT, Map.of());
    assertNull(cell.balancedAccuracy());
    assertNull(cell.nPatterns());
  }
}
