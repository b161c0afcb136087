package org.fspo.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BootstrapCiTest {
  @Test
  void quantileInterpolatesLikeNumpyLinear() {
    double[] sorted = {1, 2, 3, 4, 5};
    // numpy.quantile([1,2,3,4,5], [0.025, 0.5, 0.975]) == [1.1, 3.0, 4.9]
    assertEquals(1.1, BootstrapCi.quantile(sorted, 0.025), 1e-12);
    assertEquals(3.0, BootstrapCi.quantile(sorted, 0.5), 1e-12);
    assertEquals(4.9, BootstrapCi.quantile(sorted, 0.975), 1e-12);
    assertEquals(5.0, BootstrapCi.quantile(sorted, 1.0), 1e-12);
  }

  @Test
  void pooledIsRatioOfSums() {
    List<UserTally> users = List.of(new UserTally("a", 3, 4), new UserTally("b", 1, 6));
    assertEquals(0.4, BootstrapCi.pooled(users), 1e-12); // (3 + 1) / (4 + 6)
  }

  @Test
  void identicalUsersGiveADegenerateInterval() {
    List<UserTally> users = List.of(new UserTally("a", 3, 4), new UserTally("b", 6, 8), new UserTally("c", 3, 4));
    ConfidenceInterval ci = BootstrapCi.DEFAULT.interval(users);
    assertEquals(0.75, ci.low(), 1e-12);
    assertEquals(0.75, ci.high(), 1e-12);
  }

  @Test
  void sameSeedSameIntervalOtherSeedOtherInterval() {
    List<UserTally> users = mixedUsers(40);
    ConfidenceInterval a = new BootstrapCi(500, 0.95, 7).interval(users);
    ConfidenceInterval b = new BootstrapCi(500, 0.95, 7).interval(users);
    ConfidenceInterval c = new BootstrapCi(500, 0.95, 8).interval(users);
    assertEquals(a, b);
    assertNotEquals(a, c);
  }

  @Test
  void halfWidthMatchesTheNormalApproximationOverUsers() {
    // 400 users, 10 pairs each, user means cycling through 0.2, 0.5, 0.8, 1.0 -> SE = sd(user means) / sqrt(400).
    List<UserTally> users = mixedUsers(400);
    double[] means = users.stream().mapToDouble(u -> u.sum() / u.count()).toArray();
    double mean = java.util.Arrays.stream(means).average().orElseThrow();
    double var = java.util.Arrays.stream(means).map(m -> (m - mean) * (m - mean)).sum() / (means.length - 1);
    double expectedHalfWidth = 1.959964 * Math.sqrt(var / means.length);
    ConfidenceInterval ci = new BootstrapCi(2000, 0.95, 1).interval(users);
    double halfWidth = (ci.high() - ci.low()) / 2;
    assertEquals(expectedHalfWidth, halfWidth, 0.1 * expectedHalfWidth);
    assertTrue(ci.low() < mean && mean < ci.high());
  }

  static List<UserTally> mixedUsers(int n) {
    double[] correctOfTen = {2, 5, 8, 10};
    List<UserTally> users = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      users.add(new UserTally("u" + i, correctOfTen[i % 4], 10));
    }
    return users;
  }
}
