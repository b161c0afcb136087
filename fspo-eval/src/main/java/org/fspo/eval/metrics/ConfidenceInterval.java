package org.fspo.eval.metrics;

/** A two-sided interval [low, high] around a point estimate. */
public record ConfidenceInterval(double low, double high) {
  public ConfidenceInterval {
    if (low > high) {
      throw new IllegalArgumentException("interval low " + low + " > high " + high);
    }
  }
}
