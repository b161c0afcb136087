package org.fspo.eval.metrics;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reward accuracy balanced over the users' attribute sign patterns: the pooled accuracy of each sign-pattern group
 * (users whose latent utility weights have the same signs), then the plain mean over the groups present.
 *
 * <p>Why: the procedural generator balances sign patterns per block of 2^A users, but the held-out split takes
 * users by a hash of their id, so the test users are not balanced per attribute. A 0-shot model has a fixed bias
 * (say, it rates long answers higher); on a test set where most users prefer short answers its pooled accuracy sits
 * below 0.5. Pattern p and its mirror (every sign flipped) swap chosen and rejected on the same kind of pair, so a
 * fixed-bias model scores a and 1 - a on them: averaged over groups, each weighing the same, it sits at chance.
 *
 * <p>Worked example (the test's): group "+" has 3 pairs, 3 correct (1.0); group "-" has 1 pair, 0 correct (0.0).
 * Pooled accuracy 3/4 = 0.75, balanced accuracy (1.0 + 0.0) / 2 = 0.5.
 */
public final class BalancedAccuracy {
  private BalancedAccuracy() {}

  /**
   * The sign pattern of utility weights, keys sorted: "examples:+ format:- jargon:0 length:+ tone:-" (0 for a weight
   * of 0, an attribute that does not matter to the user).
   */
  public static String pattern(Map<String, Double> weights) {
    StringBuilder out = new StringBuilder();
    new TreeMap<>(weights).forEach((key, w) -> out.append(out.isEmpty() ? "" : " ").append(key).append(':')
        .append(w > 0 ? '+' : w < 0 ? '-' : '0'));
    return out.toString();
  }

  /**
   * Mean over sign-pattern groups of the group's pooled accuracy, or null when some user of {@code group} has no
   * pattern (users without latent utility: imported or LLM data).
   *
   * @param group    one cell's pair scores
   * @param patterns user id to sign pattern ({@link #pattern})
   */
  public static Result of(List<PairScore> group, Map<String, String> patterns) {
    Map<String, int[]> byPattern = new TreeMap<>(); // pattern -> {correct, pairs}
    for (PairScore s : group) {
      String p = patterns.get(s.userId());
      if (p == null) {
        return null;
      }
      int[] t = byPattern.computeIfAbsent(p, k -> new int[2]);
      t[0] += s.correct() ? 1 : 0;
      t[1]++;
    }
    if (byPattern.isEmpty()) {
      return null;
    }
    double sum = 0;
    for (int[] t : byPattern.values()) {
      sum += (double) t[0] / t[1];
    }
    return new Result(sum / byPattern.size(), byPattern.size());
  }

  /** The balanced accuracy and the number of sign-pattern groups it averages. */
  public record Result(double accuracy, int patterns) {}
}
