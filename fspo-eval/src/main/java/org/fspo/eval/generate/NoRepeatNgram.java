package org.fspo.eval.generate;

/**
 * HF generate's no_repeat_ngram_size over the generated tokens: a token that would complete an n-gram the response
 * already holds gets probability 0. HF applies it to the whole sequence, prompt included; here it covers the response
 * only, because a few-shot prompt holds the shots whose phrases a personalized response is meant to reuse. No
 * response the procedural generator renders repeats a token 3-gram (checked over 20,000 renderings), while the small
 * models' failures are loops such as "- learn the basic ideas" three times (docs/eval.md, "Decoding").
 */
final class NoRepeatNgram {
  private NoRepeatNgram() {}

  /**
   * Sets to -infinity the logits of every token that, appended to tokens[0, n), would repeat an n-gram of size
   * {@code size} already in it. No-op for size 0 or when fewer than size - 1 tokens exist.
   */
  static void ban(float[] logits, int[] tokens, int n, int size) {
    if (size <= 0 || n < size - 1) {
      return;
    }
    int prefix = size - 1; // the last size - 1 tokens; any earlier occurrence of them bans what followed it
    for (int start = 0; start + prefix < n; start++) {
      boolean same = true;
      for (int j = 0; j < prefix && same; j++) {
        same = tokens[start + j] == tokens[n - prefix + j];
      }
      if (same) {
        logits[tokens[start + prefix]] = Float.NEGATIVE_INFINITY;
      }
    }
  }
}
