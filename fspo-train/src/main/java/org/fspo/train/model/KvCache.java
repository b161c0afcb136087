package org.fspo.train.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Keys and values of every layer for one sequence being decoded, preallocated to the model's maximum length so a
 * step writes n new slots and reads a view of the filled prefix: O(T) work per generated token.
 */
public class KvCache implements AutoCloseable {
  private final INDArray[] keys, values; // per layer [1, nkv, max, hs]
  private int length;

  public KvCache(int layers, int kvHeads, int maxLen, int headSize) {
    keys = new INDArray[layers];
    values = new INDArray[layers];
    for (int l = 0; l < layers; l++) {
      keys[l] = Nd4j.zeros(1, kvHeads, maxLen, headSize);
      values[l] = Nd4j.zeros(1, kvHeads, maxLen, headSize);
    }
  }

  /** For a subclass that keeps its own storage ({@link BatchedKvCache}) and overrides every method. */
  protected KvCache() {
    keys = null;
    values = null;
  }

  /** Tokens already cached. */
  public int length() {
    return length;
  }

  public int capacity() {
    return (int) keys[0].size(2);
  }

  /** Stores layer l's new k, v [1, nkv, n, hs] after the cached ones; returns {k, v} [1, nkv, length + n, hs]. */
  public INDArray[] append(int layer, INDArray k, INDArray v) {
    long n = k.size(2);
    keys[layer].get(all(), all(), NDArrayIndex.interval(length, length + n), all()).assign(k);
    values[layer].get(all(), all(), NDArrayIndex.interval(length, length + n), all()).assign(v);
    return new INDArray[] {
      keys[layer].get(all(), all(), NDArrayIndex.interval(0, length + n), all()).dup('c'),
      values[layer].get(all(), all(), NDArrayIndex.interval(0, length + n), all()).dup('c')
    };
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
