package org.fspo.train.model;

/**
 * A right-padded batch of token sequences, laid out as in shared/fixtures/hf batch.json. Worked example (pad 0,
 * prompt "a b", responses "c" and "d e"):
 *
 * <pre>
 *   inputIds       [[a, b, c, 0], [a, b, d, e]]
 *   attentionMask  [[1, 1, 1, 0], [1, 1, 1, 1]]
 *   responseMask   [[0, 0, 1, 0], [0, 0, 1, 1]]
 * </pre>
 *
 * A sequence's log-prob is {@code sum_t responseMask[b][t+1] * log_softmax(logits[b][t])[inputIds[b][t+1]]}: the
 * logits at position t predict token t+1, so position 0 is never scored. Preference batches put the chosen sequence
 * of pair i at row 2i and the rejected one at row 2i+1.
 *
 * @param inputIds      [B][T] token ids, right-padded
 * @param attentionMask [B][T] 1 on real tokens, 0 on padding
 * @param responseMask  [B][T] 1 on response tokens (scored), 0 on prompt and padding
 */
public record TokenBatch(int[][] inputIds, int[][] attentionMask, int[][] responseMask) {
  public TokenBatch {
    if (inputIds.length != attentionMask.length || inputIds.length != responseMask.length) {
      throw new IllegalArgumentException("inputIds, attentionMask and responseMask need the same batch size");
    }
  }

  public int batchSize() {
    return inputIds.length;
  }

  public int seqLen() {
    return inputIds.length == 0 ? 0 : inputIds[0].length;
  }
}
