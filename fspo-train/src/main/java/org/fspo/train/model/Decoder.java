package org.fspo.train.model;

/**
 * Incremental decoding for generation: keys and values of past tokens are cached, so each step costs O(T), not a
 * full forward pass. Logits are the model's, unscaled; sampling is the caller's business. Not thread-safe.
 */
public interface Decoder extends AutoCloseable {
  /** Forgets any previous sequence, runs the prompt, and returns the logits [V] predicting the next token. */
  float[] prefill(int[] promptIds);

  /** Appends one token and returns the logits [V] predicting the token after it. */
  float[] step(int tokenId);

  /**
   * An independent decoder that has seen the same tokens: stepping either leaves the other as it was. Beam search
   * forks a hypothesis that two of the next beams extend. Costs a copy of the cache.
   */
  default Decoder fork() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot fork");
  }

  /** Tokens seen so far (prompt plus steps). */
  int length();

  @Override
  void close();
}
