package org.fspo.eval.metrics;

/**
 * How one model-versus-baseline comparison ended after judging it in both orders. Only WIN, TIE and LOSS enter the
 * win rate (1, 0.5, 0, as AlpacaEval counts draws); INCONSISTENT (the verdict followed the position, not the
 * output) and MALFORMED (a verdict that is not a single valid identifier) are dropped and counted.
 */
public enum Outcome {
  WIN(1.0),
  TIE(0.5),
  LOSS(0.0),
  INCONSISTENT(Double.NaN),
  MALFORMED(Double.NaN);

  private final double score;

  Outcome(double score) {
    this.score = score;
  }

  /** 1, 0.5 or 0 for judged outcomes; NaN for dropped ones. */
  public double score() {
    return score;
  }

  public boolean judged() {
    return !Double.isNaN(score);
  }
}
