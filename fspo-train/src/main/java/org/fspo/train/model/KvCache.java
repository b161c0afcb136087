package org.fspo.train.model;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Keys and values of every layer for one sequence being decoded, so a step writes n new slots and reads the filled
 * prefix: O(T) work per generated token. The buffers grow by doubling up to the model's maximum length, which is only
 * a limit: Llama 3.x allows 131072 positions, whose preallocated cache would take gigabytes for a 1B model.
 */
public class KvCache implements AutoCloseable {
  static final int INITIAL = 256;
  private final INDArray[] keys, values; // per layer [1, nkv, allocated, hs]
  private final int maxLen;
  private int length;

  public KvCache(int layers, int kvHeads, int maxLen, int headSize) {
    this.maxLen = maxLen;
    keys = new INDArray[layers];
    values = new INDArray[layers];
    int first = Math.min(maxLen, INITIAL);
    for (int l = 0; l < layers; l++) {
      keys[l] = Nd4j.zeros(1, kvHeads, first, headSize);
      values[l] = Nd4j.zeros(1, kvHeads, first, headSize);
    }
  }

  /** A copy of {@code other}'s buffers and length: an independent cache that starts where {@code other} is. */
  private KvCache(KvCache other) {
    maxLen = other.maxLen;
    length = other.length;
    keys = new INDArray[other.keys.length];
    values = new INDArray[other.values.length];
    try (MemoryWorkspace none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) { // outlives any caller's scope
      for (int l = 0; l < keys.length; l++) {
        keys[l] = other.keys[l].dup('c');
        values[l] = other.values[l].dup('c');
      }
    }
  }

  /**
   * An independent cache holding the same tokens (beam search forks a hypothesis this way). A subclass with its own
   * storage does not support it.
   */
  public KvCache copy() {
    if (keys == null) throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be copied");
    return new KvCache(this);
  }

  /** For a subclass that keeps its own storage ({@link BatchedKvCache}) and overrides every method. */
  protected KvCache() {
    keys = null;
    values = null;
    maxLen = 0;
  }

  /** Tokens already cached. */
  public int length() {
    return length;
  }

  /** The most tokens this cache holds: the model's maximum length. */
  public int capacity() {
    return maxLen;
  }

  /** Stores layer l's new k, v [1, nkv, n, hs] after the cached ones; returns {k, v} [1, nkv, length + n, hs]. */
  public INDArray[] append(int layer, INDArray k, INDArray v) {
    long n = k.size(2);
    if (length + n > keys[layer].size(2)) {
      long grown = Math.min(maxLen, Math.max(2 * keys[layer].size(2), length + n));
      keys[layer] = grow(keys[layer], grown);
      values[layer] = grow(values[layer], grown);
    }
    keys[layer].get(all(), all(), NDArrayIndex.interval(length, length + n), all()).assign(k);
    values[layer].get(all(), all(), NDArrayIndex.interval(length, length + n), all()).assign(v);
    return new INDArray[] {
      keys[layer].get(all(), all(), NDArrayIndex.interval(0, length + n), all()).dup('c'),
      values[layer].get(all(), all(), NDArrayIndex.interval(0, length + n), all()).dup('c')
    };
  }

  /** A zero buffer of {@code size} slots holding the first {@link #length} of {@code old}, which is closed. */
  private INDArray grow(INDArray old, long size) {
    try (MemoryWorkspace none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) { // outlives any caller's scope
      INDArray bigger = Nd4j.zeros(old.dataType(), old.size(0), old.size(1), size, old.size(3));
      if (length > 0) {
        bigger.get(all(), all(), NDArrayIndex.interval(0, length), all())
            .assign(old.get(all(), all(), NDArrayIndex.interval(0, length), all()));
      }
      Ops.close(old);
      return bigger;
    }
  }

  /** Called once all layers have appended n tokens. */
  public void advance(int n) {
    length += n;
  }

  public void reset() {
    length = 0;
  }

  @Override
  public void close() {
    for (int l = 0; l < keys.length; l++) Ops.close(keys[l], values[l]);
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex all() {
    return NDArrayIndex.all();
  }
}
