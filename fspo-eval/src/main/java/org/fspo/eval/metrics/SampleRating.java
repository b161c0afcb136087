package org.fspo.eval.metrics;

/**
 * How one generated response reads to a user with latent utility (procedural users).
 *
 * @param wellFormed whether the procedural parser read a complete attribute vector (every attribute's markers
 *                   present and not cancelling), as every response the generator renders has
 * @param utility    the user's utility of the response, {@code sum_a w_a * x_a} with x_a in {-1, 0, +1}
 * @param minUtility the least utility any response to the question can have: {@code -sum_a |w_a|}
 * @param maxUtility the most: {@code +sum_a |w_a|} (every attribute at the user's preferred value)
 */
public record SampleRating(boolean wellFormed, double utility, double minUtility, double maxUtility) {
  public SampleRating {
    if (!(minUtility <= utility && utility <= maxUtility)) {
      throw new IllegalArgumentException("utility " + utility + " outside its range [" + minUtility + ", "
          + maxUtility + "]");
    }
  }

  /** Utility placed on its scale: 0 at the worst possible response, 1 at the best (0.5 when the range is empty). */
  public double scaled() {
    return maxUtility > minUtility ? (utility - minUtility) / (maxUtility - minUtility) : 0.5;
  }
}
