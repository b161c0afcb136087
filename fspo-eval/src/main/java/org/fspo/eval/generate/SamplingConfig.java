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
 * @param numBeams    beam search over this many hypotheses ({@link BeamSearch}; HF generate's num_beams); 1 (the
 *                    default) samples one token at a time. Beam search is deterministic, so it needs temperature 0
 * @param noRepeatNgramSize a token that would repeat an n-gram of this size within the response is never chosen
 *                    ({@link NoRepeatNgram}; HF's no_repeat_ngram_size, over the response only); 0 (default): off
 * @param presencePenalty  OpenAI's presence_penalty over the response ({@link RepetitionPenalty}); 0 (default): off
 * @param frequencyPenalty OpenAI's frequency_penalty over the response; 0 (default): off. Neither works with beam
 *                    search
 */
public record SamplingConfig(
    @JsonProperty("temperature") double temperature,
    @JsonProperty("top_p") double topP,
    @JsonProperty("max_tokens") int maxTokens,
    @JsonProperty("seed") long seed,
    @JsonProperty("num_beams") Integer numBeams,
    @JsonProperty("no_repeat_ngram_size") Integer noRepeatNgramSize,
    @JsonProperty("presence_penalty") Double presencePenalty,
    @JsonProperty("frequency_penalty") Double frequencyPenalty) implements java.io.Serializable {

  public SamplingConfig {
    numBeams = numBeams == null ? 1 : numBeams;
    noRepeatNgramSize = noRepeatNgramSize == null ? 0 : noRepeatNgramSize;
    presencePenalty = presencePenalty == null ? 0.0 : presencePenalty;
    frequencyPenalty = frequencyPenalty == null ? 0.0 : frequencyPenalty;
    RepetitionPenalty penalty = new RepetitionPenalty(presencePenalty, frequencyPenalty); // checks the ranges
    if (numBeams > 1 && !penalty.off()) {
      throw new IllegalArgumentException("generate.presence_penalty and frequency_penalty apply to sampling and "
          + "greedy decoding, not to beam search: set them to 0, or num_beams to 1");
    }
    if (noRepeatNgramSize < 0) {
      throw new IllegalArgumentException("generate.no_repeat_ngram_size must be >= 0 (0 = off), got "
          + noRepeatNgramSize);
    }
    if (numBeams < 1) {
      throw new IllegalArgumentException("generate.num_beams must be >= 1 (1 = no beam search), got " + numBeams);
    }
    if (numBeams > 1 && temperature != 0) {
      throw new IllegalArgumentException("generate.num_beams " + numBeams + " is beam search, which is deterministic:"
          + " set generate.temperature to 0 (beam sampling is not supported), or num_beams to 1");
    }
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

  /** One token at a time (no beam search), no penalties. */
  public SamplingConfig(double temperature, double topP, int maxTokens, long seed) {
    this(temperature, topP, maxTokens, seed, 1, 0);
  }

  /** No presence or frequency penalty. */
  public SamplingConfig(double temperature, double topP, int maxTokens, long seed, int numBeams, int noRepeatNgram) {
    this(temperature, topP, maxTokens, seed, numBeams, noRepeatNgram, 0.0, 0.0);
  }

  /** The presence and frequency penalties. */
  public RepetitionPenalty penalty() {
    return new RepetitionPenalty(presencePenalty, frequencyPenalty);
  }

  public static SamplingConfig defaults() {
    return new SamplingConfig(0.7, 0.9, 160, 0L);
  }
}
