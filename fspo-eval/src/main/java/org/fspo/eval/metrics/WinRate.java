package org.fspo.eval.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Win rates from judged outcomes, per method and shot count. The discrete win rate counts WIN 1, TIE 0.5, LOSS 0
 * over consistently judged pairs (inconsistent and malformed ones are dropped and counted); its CI resamples users
 * ({@link BootstrapCi}). The weighted win rate (AlpacaEval 2) is the mean model probability over every pair that has
 * one, inconsistent pairs included, since a probability already expresses the judge's doubt.
 */
public final class WinRate {
  private WinRate() {}

  public static Map<String, Map<String, WinRateCell>> table(List<PairOutcome> outcomes, BootstrapCi bootstrap, String judge) {
    return MethodShotGrid.build(outcomes, PairOutcome::method, PairOutcome::shots, g -> cell(g, bootstrap, judge));
  }

  public static WinRateCell cell(List<PairOutcome> group, BootstrapCi bootstrap, String judge) {
    Map<String, double[]> perUser = new TreeMap<>(); // user -> {score sum, judged pairs}, sorted: order-free CI
    int dropped = 0, malformed = 0, weighted = 0;
    double probabilitySum = 0, modelLength = 0, baselineLength = 0;
    for (PairOutcome o : group) {
      modelLength += o.modelLength();
      baselineLength += o.baselineLength();
      if (o.modelProbability() != null) {
        probabilitySum += o.modelProbability();
        weighted++;
      }
      switch (o.outcome()) {
        case INCONSISTENT -> dropped++;
        case MALFORMED -> malformed++;
        default -> {
          double[] t = perUser.computeIfAbsent(o.userId(), k -> new double[2]);
          t[0] += o.outcome().score();
          t[1] += 1;
        }
      }
    }
    List<UserTally> tallies = new ArrayList<>();
    perUser.forEach((user, t) -> tallies.add(new UserTally(user, t[0], (int) t[1])));
    ConfidenceInterval ci = bootstrap.interval(tallies);
    int n = tallies.stream().mapToInt(UserTally::count).sum();
    return new WinRateCell(
        n == 0 ? null : BootstrapCi.pooled(tallies), n == 0 ? null : ci.low(), n == 0 ? null : ci.high(), n, dropped, malformed, tallies.size(),
        weighted == 0 ? null : probabilitySum / weighted, weighted,
        modelLength / group.size(), baselineLength / group.size(), judge);
  }
}
