package org.fspo.eval.metrics;

/**
 * One user's contribution to a pooled ratio statistic: {@code sum} of per-pair values (1 for correct, 0.5 for a
 * tie in win rates) over {@code count} pairs. The pooled statistic over users is sum(sum) / sum(count).
 */
public record UserTally(String userId, double sum, int count) {
  public UserTally {
    if (count <= 0) {
      throw new IllegalArgumentException("user " + userId + " has no pairs; drop it before tallying");
    }
  }
}
