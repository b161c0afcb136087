package org.fspo.train.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keys and values of up to S sequences decoded together (continuous batching): S fixed slots, each with its own
 * length, preallocated to the model's maximum. One pass runs R of the slots as rows; {@link #rows} names them in
 * row order. A row's n new keys/values are written after that slot's own cached ones, and {@link #append} returns,
 * per layer, keys and values [R, nkv, Lk, hs] with Lk = the longest row's length after the append. A shorter row's
 * tail (slots past its length: zeros or a finished sequence's stale, finite values) is masked by the caller's
 * attention mask, so it adds exactly 0 to that row's attention.
 *
 * <p>Shapes: S slots, R rows of this pass, nkv key/value heads, M maximum length, hs head size, n new tokens per row.
 */
public final class BatchedKvCache extends KvCache {
  private final INDArray[] keys, values; // per layer [S, nkv, M, hs], float32, dense
  private final int[] lengths; // per slot: tokens cached
  private final int kvHeads, maxLen, headSize;
  private int[] rows = new int[0];
  // arrays of the current pass (append's inputs and outputs), closed in advance(): the model leaves them to the
  // garbage collector when decoding, and a server decoding for hours must not wait on it for its off-heap memory
  private final java.util.List<INDArray> passArrays = new java.util.ArrayList<>();

  public BatchedKvCache(int slots, int layers, int kvHeads, int maxLen, int headSize) {
    this.kvHeads = kvHeads;
    this.maxLen = maxLen;
    this.headSize = headSize;
    keys = new INDArray[layers];
    values = new INDArray[layers];
    for (int l = 0; l < layers; l++) {
      keys[l] = Nd4j.zeros(DataType.FLOAT, slots, kvHeads, maxLen, headSize);
      values[l] = Nd4j.zeros(DataType.FLOAT, slots, kvHeads, maxLen, headSize);
    }
    lengths = new int[slots];
  }

  public int slots() {
    return lengths.length;
  }

  /** Tokens cached in a slot. */
  public int length(int slot) {
    return lengths[slot];
  }

  /** Sets the slots the next pass runs, row i being slot rows[i]. */
  public void rows(int[] slots) {
    for (int s : slots) {
      if (s < 0 || s >= lengths.length) throw new IllegalArgumentException("no slot " + s);
    }
    rows = slots.clone();
  }

  /** Empties a slot for a new sequence. */
  public void clear(int slot) {
    lengths[slot] = 0;
  }

  /**
   * Copies a prefix block into a slot: per layer l, k[l] and v[l] ([nkv * n * hs], head-major) become tokens
   * [start, start + n) of the slot, whose length becomes start + n. Blocks go in order from 0 after {@link #clear}.
   */
  public void load(int slot, int start, int n, float[][] k, float[][] v) {
    if (start != lengths[slot] || start + n > maxLen) {
      throw new IllegalStateException("slot " + slot + " holds " + lengths[slot] + " tokens, cannot load [" + start
          + ", " + (start + n) + ")");
    }
    for (int l = 0; l < keys.length; l++) {
      copy(keys[l], slot, start, n, k[l], true);
      copy(values[l], slot, start, n, v[l], true);
    }
    lengths[slot] = start + n;
  }

  /** The reverse of {@link #load}: tokens [start, start + n) of a slot into k[l], v[l] [nkv * n * hs]. */
  public void read(int slot, int start, int n, float[][] k, float[][] v) {
    if (start + n > lengths[slot]) {
      throw new IllegalStateException("slot " + slot + " holds " + lengths[slot] + " tokens, not " + (start + n));
    }
    for (int l = 0; l < keys.length; l++) {
      copy(keys[l], slot, start, n, k[l], false);
      copy(values[l], slot, start, n, v[l], false);
    }
  }

  /** store[slot, h, start:start+n, :] = flat[h] (in) or the reverse, for every head h. */
  private void copy(INDArray store, int slot, int start, int n, float[] flat, boolean in) {
    FloatBuffer buf = Ops.floats(store);
    int chunk = n * headSize;
    for (int h = 0; h < kvHeads; h++) {
      int at = (int) ((((long) slot * kvHeads + h) * maxLen + start) * headSize);
      if (in) {
        buf.put(at, flat, h * chunk, chunk);
      } else {
        buf.get(at, flat, h * chunk, chunk);
      }
    }
  }

  /** Not meaningful for several sequences: use {@link #length(int)}. */
  @Override
  public int length() {
    throw new UnsupportedOperationException("a batched cache has one length per slot; use length(slot)");
  }

  @Override
  public int capacity() {
    return maxLen;
  }

  /** Layer l's new k, v [R, nkv, n, hs] go after each row's cached ones; returns {k, v} [R, nkv, Lk, hs]. */
  @Override
  public INDArray[] append(int layer, INDArray k, INDArray v) {
    int R = rows.length, n = (int) k.size(2);
    if (k.size(0) != R) throw new IllegalStateException("pass has " + k.size(0) + " rows, cache expects " + R);
    int lk = 0;
    for (int s : rows) {
      if (lengths[s] + n > maxLen) throw new IllegalStateException("slot " + s + " would exceed " + maxLen);
      lk = Math.max(lk, lengths[s] + n);
    }
    INDArray[] out = {write(keys[layer], k, n, lk), write(values[layer], v, n, lk)};
    passArrays.addAll(java.util.List.of(k, v, out[0], out[1]));
    return out;
  }

  /** store[slot, :, len:len+n, :] = x[row]; returns store[rows, :, 0:lk, :] as a new dense array. */
  private INDArray write(INDArray store, INDArray x, int n, int lk) {
    FloatBuffer dst = Ops.floats(store), src = Ops.floats(x);
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, rows.length, kvHeads, lk, headSize);
    FloatBuffer o = Ops.floats(out);
    int chunk = n * headSize;
    for (int r = 0; r < rows.length; r++) {
      int s = rows[r];
      for (int h = 0; h < kvHeads; h++) {
        long base = ((long) s * kvHeads + h) * maxLen * headSize; // (s, h, 0, 0)
        dst.put((int) (base + (long) lengths[s] * headSize), src, (r * kvHeads + h) * chunk, chunk);
        o.put((r * kvHeads + h) * lk * headSize, dst, (int) base, lk * headSize);
      }
    }
    return out;
  }

  /** Called once all layers have appended n tokens for every row: the pass is over, its k/v arrays are freed. */
  @Override
  public void advance(int n) {
    for (int s : rows) lengths[s] += n;
    releasePass();
  }

  /**
   * The pass is over, with added[i] real tokens in row i (a prefill's padded rows append more, and the padding
   * past added[i] is left to be overwritten); its k/v arrays are freed.
   */
  public void advance(int[] added) {
    if (added.length != rows.length) throw new IllegalArgumentException("advance needs one count per row");
    for (int i = 0; i < rows.length; i++) lengths[rows[i]] += added[i];
    releasePass();
  }

  /** Frees the arrays append saw and made in this pass (also after a failed pass). */
  public void releasePass() {
    for (INDArray a : passArrays) Ops.close(a);
    passArrays.clear();
  }

  @Override
  public void reset() {
    java.util.Arrays.fill(lengths, 0);
  }

  @Override
  public void close() {
    releasePass();
    for (int l = 0; l < keys.length; l++) Ops.close(keys[l], values[l]);
  }
}
