package org.fspo.eval.judge;

import org.fspo.eval.metrics.SampleRating;

/**
 * Reads generated responses the way a user's latent utility does, for the report's sample quality and balanced
 * accuracy. Procedural users have one ({@link ProceduralOracle}); imported or LLM-synthesized users do not.
 */
public interface SampleRater {
  /** Whether {@code text} is well formed and what it is worth to user {@code userId}, on that user's scale. */
  SampleRating rate(String userId, String text);

  /** The sign pattern of the user's utility weights ({@code BalancedAccuracy.pattern}), or null without weights. */
  String pattern(String userId);
}
