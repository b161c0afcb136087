package org.fspo.eval.metrics;

import java.util.ArrayList;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;

/**
 * Reward accuracy, mean margin and a bootstrap-over-users CI from per-pair scores, per method and shot count.
 * Accuracy is pooled over pairs (correct pairs / pairs); the CI resamples users, see {@link BootstrapCi}. With the
 * users' sign patterns, each cell also carries the {@link BalancedAccuracy}.
 */
public final class RewardAccuracy {
  private RewardAccuracy() {}

  /** method -> shots (string) -> cell, in the order of {@link MethodShotGrid}. */
  public static Map<String, Map<String, AccuracyCell>> table(List<PairScore> scores, BootstrapCi bootstrap) {
    return table(scores, bootstrap, Map.of());
  }

  /** The table with balanced accuracy over the users' sign patterns (user id to {@link BalancedAccuracy#pattern}). */
  public static Map<String, Map<String, AccuracyCell>> table(List<PairScore> scores, BootstrapCi bootstrap,
      Map<String, String> patterns) {
    return MethodShotGrid.build(scores, PairScore::method, PairScore::shots, group -> cell(group, bootstrap, patterns));
  }

  public static AccuracyCell cell(List<PairScore> group, BootstrapCi bootstrap) {
    return cell(group, bootstrap, Map.of());
  }

  public static AccuracyCell cell(List<PairScore> group, BootstrapCi bootstrap, Map<String, String> patterns) {
    Map<String, double[]> perUser = new TreeMap<>(); // user -> {correct, pairs}, sorted: order-free CI
    double marginSum = 0;
    for (PairScore s : group) {
      double[] t = perUser.computeIfAbsent(s.userId(), k -> new double[2]);
      t[0] += s.correct() ? 1 : 0;
      t[1] += 1;
      marginSum += s.margin();
    }
    List<UserTally> tallies = new ArrayList<>();
    perUser.forEach((user, t) -> tallies.add(new UserTally(user, t[0], (int) t[1])));
    ConfidenceInterval ci = bootstrap.interval(tallies);
    BalancedAccuracy.Result balanced = BalancedAccuracy.of(group, patterns);
    return new AccuracyCell(BootstrapCi.pooled(tallies), ci.low(), ci.high(), marginSum / group.size(), group.size(),
        tallies.size(), balanced == null ? null : balanced.accuracy(), balanced == null ? null : balanced.patterns());
  }
}
