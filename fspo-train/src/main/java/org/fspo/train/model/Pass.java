package org.fspo.train.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One run of the transformer stack over R rows of Lq new tokens each.
 *
 * @param rows      R
 * @param len       Lq, new tokens per row
 * @param ids       [R * Lq] token ids, row-major
 * @param positions [R * Lq] position ids
 * @param mask      [R, 1, Lq, Lk] additive attention mask (Lk = Lq, or cached + Lq when decoding)
 * @param kv        the key/value cache to read and extend when decoding; null in training
 */
public record Pass(int rows, int len, int[] ids, int[] positions, INDArray mask, KvCache kv) {
  public static Pass of(Layout layout) {
    return new Pass(layout.rows(), layout.length(), Layout.flat(layout.ids()), Layout.flat(layout.positions()),
        layout.attentionMask(), null);
  }

  /** R * Lq, the number of hidden-state rows. */
  public int tokens() {
    return rows * len;
  }
}
