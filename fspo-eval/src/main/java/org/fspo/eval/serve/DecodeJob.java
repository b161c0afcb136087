package org.fspo.eval.serve;

import java.util.SplittableRandom;
import org.fspo.eval.generate.RepetitionPenalty;
import org.fspo.eval.generate.TokenSampler;

/**
 * One sequence to generate: its prompt ids, how to sample, and where the tokens go. The engine owns the mutable
 * fields; {@link #cancel} may be called from any thread (a client that went away).
 *
 * @see org.fspo.eval.generate.Generator the single-sequence loop this mirrors token for token
 */
public final class DecodeJob {
  final int[] promptIds;
  final TokenSampler sampler;
  final SplittableRandom rng;
  final int maxTokens;
  final TokenSink sink;
  final RepetitionPenalty penalty;
  final int[] tokens; // the response so far, kept only when a penalty needs it
  private volatile boolean cancelled;
  // engine state
  int slot = -1;
  int limit;
  int generated;
  int lastToken;

  public DecodeJob(int[] promptIds, TokenSampler sampler, SplittableRandom rng, int maxTokens, TokenSink sink) {
    this(promptIds, sampler, rng, maxTokens, sink, RepetitionPenalty.NONE);
  }

  public DecodeJob(int[] promptIds, TokenSampler sampler, SplittableRandom rng, int maxTokens, TokenSink sink,
      RepetitionPenalty penalty) {
    if (promptIds.length == 0) throw new IllegalArgumentException("a decode job needs at least one prompt token");
    if (maxTokens < 1) throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
    this.promptIds = promptIds;
    this.sampler = sampler;
    this.rng = rng;
    this.maxTokens = maxTokens;
    this.sink = sink;
    this.penalty = penalty;
    this.tokens = penalty.off() ? null : new int[maxTokens];
  }

  public void cancel() {
    cancelled = true;
  }

  boolean cancelled() {
    return cancelled;
  }
}
