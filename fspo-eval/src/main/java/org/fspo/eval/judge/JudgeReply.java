package org.fspo.eval.judge;

import java.util.Map;

/**
 * What the judge model answered.
 *
 * @param text           the completion text
 * @param firstTokenTopLogprobs the top log-probabilities of the first generated token, token text to logprob (the
 *                       OpenAI {@code choices[0].logprobs.content[0].top_logprobs}); empty when the server gave none
 */
public record JudgeReply(String text, Map<String, Double> firstTokenTopLogprobs) {
  public JudgeReply {
    firstTokenTopLogprobs = firstTokenTopLogprobs == null ? Map.of() : Map.copyOf(firstTokenTopLogprobs);
  }
}
