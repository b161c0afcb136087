package org.fspo.train.tokenizer;

import java.nio.file.Path;

/**
 * Text to token ids and back: the part of a tokenizer that training, scoring and generation need. No special tokens
 * are added by {@link #encode}; the trainer places {@link #eosId()} itself where it wants one.
 */
public interface TextTokenizer extends AutoCloseable {
  int[] encode(String text);

  String decode(int[] ids);

  /** Number of ids (the model's vocab_size must be at least this). */
  int vocabSize();

  int eosId();

  /** The id used for right padding (masked out, so its value never matters numerically). */
  int padId();

  /** Writes the tokenizer as a Hugging Face tokenizer.json, so a run folder is self-contained. */
  void save(Path file);

  @Override
  void close();
}
