package org.fspo.eval.generate;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How responses are sampled from a trained model (the {@code generate:} config section).
 *
 * @param temperature logits are divided by it; 0 means greedy (argmax). Default 0.7
 * @param topP        nucleus sampling: keep the smallest set of tokens whose probability sums to at least top_p.
 *                    1.0 keeps all. Default 0.9
 * @param maxTokens   most new tokens per response. Default 160
 * @param seed        seed of the sampling RNG; each prompt derives its own stream from it. Default 0
 */
public record SamplingConfig(
    @JsonProperty("temperature") double temperature,
    @JsonProperty("top_p") double topP,
    @JsonProperty("max_tokens") int maxTokens,
    @JsonProperty("seed") long seed) {

  public SamplingConfig {
    if (!(temperature >= 0)) {
      throw new IllegalArgumentException("generate.temperature must be >= 0 (0 = greedy), got " + temperature);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("generate.top_p must be in (0, 1], got " + topP);
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("generate.max_tokens must be >= 1, got " + maxTokens);
    }
  }

  public static SamplingConfig defaults() {
    return new SamplingConfig(0.7, 0.9, 160, 0L);
  }
}
