package org.fspo.train.data;

import org.fspo.train.model.TokenBatch;

/**
 * A collated preference batch: pair i is rows 2i (chosen) and 2i+1 (rejected) of {@code batch}.
 *
 * @param batch       the padded ids and masks
 * @param shotsUsed   [pairs] context shots left in each prompt after truncation
 * @param truncation  what was cut to fit max_seq_len
 * @param realTokens  tokens that are not padding (for tokens/s)
 */
public record Collated(TokenBatch batch, int[] shotsUsed, Truncation truncation, long realTokens) {
  public int pairs() {
    return batch.batchSize() / 2;
  }
}
