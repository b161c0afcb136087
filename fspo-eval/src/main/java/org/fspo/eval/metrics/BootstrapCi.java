package org.fspo.eval.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap over users (a cluster bootstrap): pairs of one user are correlated, so users, not pairs,
 * are resampled with replacement. Each resample draws n users out of the n users, pools their tallies and computes
 * sum / count; the interval is the (alpha/2, 1 - alpha/2) quantiles of the resampled statistics, interpolated
 * linearly between order statistics (numpy's default "linear" method, Hyndman-Fan type 7).
 *
 * <p>Deterministic: the same tallies (in the same order), resamples and seed give the same interval.
 *
 * @param resamples number of bootstrap resamples (1000 by default)
 * @param level     coverage, e.g. 0.95
 * @param seed      seed of the resampling RNG
 */
public record BootstrapCi(int resamples, double level, long seed) {
  public static final BootstrapCi DEFAULT = new BootstrapCi(1000, 0.95, 1234L);

  public BootstrapCi {
    if (resamples < 1) {
      throw new IllegalArgumentException("bootstrap resamples must be >= 1, got " + resamples);
    }
    if (!(level > 0 && level < 1)) {
      throw new IllegalArgumentException("bootstrap level must be in (0, 1), got " + level);
    }
  }

  /** The pooled point estimate sum(sum) / sum(count). */
  public static double pooled(List<UserTally> users) {
    double sum = 0;
    long count = 0;
    for (UserTally u : users) {
      sum += u.sum();
      count += u.count();
    }
    return count == 0 ? Double.NaN : sum / count;
  }

  public ConfidenceInterval interval(List<UserTally> users) {
    int n = users.size();
    if (n == 0) {
      return new ConfidenceInterval(Double.NaN, Double.NaN);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    double[] stats = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      double sum = 0;
      long count = 0;
      for (int i = 0; i < n; i++) {
        UserTally u = users.get(rng.nextInt(n));
        sum += u.sum();
        count += u.count();
      }
      stats[r] = sum / count;
    }
    Arrays.sort(stats);
    double alpha = 1 - level;
    return new ConfidenceInterval(quantile(stats, alpha / 2), quantile(stats, 1 - alpha / 2));
  }

  /** Quantile q of sorted values, linear interpolation at position q * (n - 1) (numpy's default). */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    double frac = pos - lo;
    return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
  }
}
