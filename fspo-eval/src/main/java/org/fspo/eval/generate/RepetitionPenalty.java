package org.fspo.eval.generate;

import java.util.HashMap;
import java.util.Map;

/**
 * OpenAI's presence and frequency penalties, over the tokens generated so far (not the prompt, as OpenAI and vLLM
 * define them): before each token is picked, {@code logit[j] -= c[j] * frequency + (c[j] > 0 ? presence : 0)}, where
 * c[j] counts token j in the response. Positive values discourage repeating a token, negative ones encourage it.
 *
 * @param presence subtracted once from every token already in the response; [-2, 2], 0 = off
 * @param frequency subtracted per earlier occurrence of the token in the response; [-2, 2], 0 = off
 */
public record RepetitionPenalty(double presence, double frequency) implements java.io.Serializable {
  public static final RepetitionPenalty NONE = new RepetitionPenalty(0, 0);

  public RepetitionPenalty {
    check("presence_penalty", presence);
    check("frequency_penalty", frequency);
  }

  private static void check(String name, double v) {
    if (!(v >= -2 && v <= 2)) {
      throw new IllegalArgumentException("generate." + name + " must be in [-2, 2] (0 = off), got " + v);
    }
  }

  public boolean off() {
    return presence == 0 && frequency == 0;
  }

  /** Lowers in place the logits [V] of the tokens among {@code tokens[0, n)}, the response so far. */
  public void apply(float[] logits, int[] tokens, int n) {
    if (off() || n == 0) {
      return;
    }
    Map<Integer, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(tokens[i], 1, Integer::sum);
    }
    counts.forEach((token, c) -> logits[token] -= (float) (c * frequency + presence));
  }
}
