package org.fspo.train.loss;

/**
 * The preference losses as a pure function of four per-pair log-prob vectors, after TRL's {@code dpo_loss}
 * (trl &lt;= 0.26, dpo_trainer.py). Forward passes, reference caching and metric logging live elsewhere.
 *
 * <pre>
 *   l_c = reduce(pi_c) - reduce(ref_c),  l_r = reduce(pi_r) - reduce(ref_r),  h = l_c - l_r
 *   DPO_SIGMOID: loss = -log sigmoid(beta h)          (Rafailov et al. 2023, Eq. 7)
 *   IPO:         loss = (h - 1/(2 beta))^2            (Azar et al. 2023, Eq. 17)
 *   rewards:     beta l_c and beta l_r
 * </pre>
 *
 * reduce is the identity on summed log-probs ({@link LogpReduction#SUM}: FSPO's official code) or divides by the
 * response token count ({@link LogpReduction#MEAN_PER_TOKEN}: TRL's {@code loss_type="ipo"}). Inputs are always
 * summed log-probs; the derivatives are with respect to those sums.
 */
public final class PreferenceLoss {
  public enum Type { DPO_SIGMOID, IPO }

  public enum LogpReduction { SUM, MEAN_PER_TOKEN }

  /**
   * Per-pair results. {@code dPolicyChosen[i]} is d losses[i] / d policyChosen[i] (and likewise for rejected), so the
   * gradient of the mean loss over n pairs is these divided by n.
   */
  public record Result(double[] losses, double[] rewardsChosen, double[] rewardsRejected,
      double[] dPolicyChosen, double[] dPolicyRejected) {
    public double meanLoss() {
      return mean(losses);
    }
  }

  private PreferenceLoss() {}

  /**
   * @param policyChosen   [n] summed log p(chosen | prompt) under the policy
   * @param policyRejected [n] the same for the rejected completion
   * @param refChosen      [n] under the frozen reference
   * @param refRejected    [n]
   * @param tokensChosen   [n] response token counts (read only for MEAN_PER_TOKEN; may be null for SUM)
   * @param tokensRejected [n]
   */
  public static Result compute(Type type, LogpReduction reduction, double beta, double[] policyChosen,
      double[] policyRejected, double[] refChosen, double[] refRejected, int[] tokensChosen, int[] tokensRejected) {
    if (!(beta > 0)) throw new IllegalArgumentException("beta must be positive, got " + beta);
    int n = policyChosen.length;
    if (policyRejected.length != n || refChosen.length != n || refRejected.length != n) {
      throw new IllegalArgumentException("the four log-prob vectors need the same length");
    }
    double[] loss = new double[n], rc = new double[n], rr = new double[n], dc = new double[n], dr = new double[n];
    for (int i = 0; i < n; i++) {
      double scaleC = reduction == LogpReduction.SUM ? 1 : 1.0 / tokensChosen[i];
      double scaleR = reduction == LogpReduction.SUM ? 1 : 1.0 / tokensRejected[i];
      double lc = (policyChosen[i] - refChosen[i]) * scaleC;
      double lr = (policyRejected[i] - refRejected[i]) * scaleR;
      double h = lc - lr;
      double dLossDh;
      if (type == Type.IPO) {
        double d = h - 1 / (2 * beta);
        loss[i] = d * d;
        dLossDh = 2 * d;
      } else {
        loss[i] = softplus(-beta * h); // -log sigmoid(x) = log(1 + e^-x), computed stably
        dLossDh = -beta * sigmoid(-beta * h);
      }
      rc[i] = beta * lc;
      rr[i] = beta * lr;
      dc[i] = dLossDh * scaleC;
      dr[i] = -dLossDh * scaleR;
    }
    return new Result(loss, rc, rr, dc, dr);
  }

  static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  static double mean(double[] values) {
    double s = 0;
    for (double v : values) s += v;
    return values.length == 0 ? Double.NaN : s / values.length;
  }
}
