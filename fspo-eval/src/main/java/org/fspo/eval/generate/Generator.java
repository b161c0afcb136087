package org.fspo.eval.generate;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import org.fspo.core.episode.Split;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Decoder;

/**
 * Samples a continuation of a prompt with the model's KV-cache {@link Decoder}: one prefill over the prompt, then one
 * cached step per new token, so a response of n tokens costs O(n * T) rather than n full forward passes. Stops at
 * an end-of-sequence token (not included in the output): the tokenizer's, or any of the model's config.json
 * eos_token_id (Llama 3 Instruct lists three), at {@code maxTokens}, at a caller's stop condition, or when the
 * model's context is full. With num_beams above 1 it searches instead ({@link BeamSearch}); either way
 * no_repeat_ngram_size bans a token that repeats an n-gram of the response ({@link NoRepeatNgram}); without beams
 * the presence and frequency penalties lower the logits of tokens the response holds ({@link RepetitionPenalty}).
 * Each prompt gets its own RNG stream derived from (seed, key), so results do not depend on the order or the number
 * of prompts generated.
 */
public final class Generator {
  private final CausalLm model;
  private final SamplingConfig config;
  private final TokenSampler sampler;
  private final java.util.Set<Integer> eosIds;

  public Generator(CausalLm model, SamplingConfig config, int eosId) {
    this.model = model;
    this.config = config;
    this.sampler = new TokenSampler(config);
    this.eosIds = new java.util.HashSet<>(model.eosTokenIds());
    eosIds.add(eosId);
  }

  /**
   * New token ids after {@code promptIds}.
   *
   * @param key       a stable name of this request (e.g. method|user|pair|shots), seeding its RNG stream
   * @param stopAfter called with each new token's index in the output buffer; true ends generation after that token
   */
  public int[] generate(int[] promptIds, String key, StopCondition stopAfter) {
    return sample(promptIds, key, stopAfter).tokens();
  }

  /**
   * What one request produced: the new token ids (EOS excluded) and whether the model ended it with EOS (rather than
   * max_tokens, the context's end or the stop condition).
   */
  public record Output(int[] tokens, boolean endedAtEos) {}

  /** {@link #generate(int[], String, StopCondition)}, also saying whether generation ended at EOS. */
  public Output sample(int[] promptIds, String key, StopCondition stopAfter) {
    SplittableRandom rng = rng(config.seed(), key);
    int room = Math.max(0, model.maxPositions() - promptIds.length);
    int limit = Math.min(config.maxTokens(), room);
    int[] out = new int[limit];
    int n = 0;
    boolean eos = false;
    if (limit == 0) {
      return new Output(out, false);
    }
    if (config.numBeams() > 1) {
      Decoder decoder = model.decoder();
      float[] first;
      try {
        first = decoder.prefill(promptIds);
      } catch (RuntimeException e) {
        decoder.close();
        throw e;
      }
      return BeamSearch.search(decoder, first, config.numBeams(), limit, eosIds, stopAfter,
          config.noRepeatNgramSize());
    }
    RepetitionPenalty penalty = config.penalty();
    try (Decoder decoder = model.decoder()) {
      float[] logits = decoder.prefill(promptIds);
      while (n < limit) {
        NoRepeatNgram.ban(logits, out, n, config.noRepeatNgramSize());
        penalty.apply(logits, out, n);
        int token = sampler.next(logits, rng);
        if (eosIds.contains(token)) {
          eos = true;
          break;
        }
        out[n++] = token;
        if (stopAfter.stop(out, n) || n == limit) {
          break;
        }
        logits = decoder.step(token);
      }
    }
    return new Output(Arrays.copyOf(out, n), eos);
  }

  public SamplingConfig config() {
    return config;
  }

  /** The model's context length: prompt and response together fit in it. */
  public int contextTokens() {
    return model.maxPositions();
  }

  /** The RNG stream of one request: a function of (seed, key) only. fspo serve draws from the same streams. */
  public static SplittableRandom rng(long seed, String key) {
    return new SplittableRandom(Double.doubleToLongBits(Split.unitHash(seed + ":" + key)));
  }

  public int[] generate(int[] promptIds, String key) {
    return generate(promptIds, key, (tokens, n) -> false);
  }

  /** Ends generation early, e.g. when the decoded text reaches a section header. */
  @FunctionalInterface
  public interface StopCondition {
    boolean stop(int[] tokens, int count);
  }

  /** A stop condition on the last token only. */
  public static StopCondition onToken(IntPredicate last) {
    return (tokens, n) -> last.test(tokens[n - 1]);
  }
}
