package org.fspo.train.model.llama;

import java.nio.FloatBuffer;
import org.fspo.train.model.Ops;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary position embedding as HF Llama applies it (LlamaRotaryEmbedding + apply_rotary_pos_emb): angle =
 * pos * inv_freq[i] (inv_freq from {@link RopeConfig#invFreq}: default, linear or llama3 scaling), cos/sin =
 * cat(angle, angle), and {@code x' = x * cos + rotate_half(x) * sin} with
 * {@code rotate_half(x) = cat(-x[hs/2:], x[:hs/2])} (the half-split convention, not interleaved pairs). For
 * i < hs/2, with x1 = x[i], x2 = x[i + hs/2]: {@code x'[i] = x1 cos - x2 sin, x'[i + hs/2] = x2 cos + x1 sin}; the
 * backward pass is the transpose rotation. The cos/sin tables grow on demand up to the longest position seen, not
 * max_position_embeddings (131072 for Llama 3.x).
 */
final class Rope {
  private final int headSize;
  private final float[] invFreq; // [hs/2]
  private volatile float[][] table = {new float[0], new float[0]}; // cos, sin [positions * hs/2]

  Rope(RopeConfig config, int headSize) {
    this.headSize = headSize;
    this.invFreq = config.invFreq(headSize);
  }

  /** cos and sin tables covering positions [0, n). */
  private float[][] tables(int n) {
    float[][] t = table;
    int half = headSize / 2;
    if (t[0].length >= n * half) return t;
    synchronized (this) {
      t = table;
      if (t[0].length >= n * half) return t;
      int positions = Math.max(n, 2 * t[0].length / Math.max(1, half));
      float[] cos = new float[positions * half], sin = new float[positions * half];
      for (int p = 0; p < positions; p++) {
        for (int i = 0; i < half; i++) {
          float angle = p * invFreq[i]; // HF: a float32 product, as here
          cos[p * half + i] = (float) Math.cos(angle);
          sin[p * half + i] = (float) Math.sin(angle);
        }
      }
      table = t = new float[][] {cos, sin};
      return t;
    }
  }

  /** x [N, heads, hs] at the given positions [N] -> a new rotated [N, heads, hs]. */
  INDArray apply(INDArray x, int[] positions) {
    return rotate(x, positions, 1);
  }

  /** The gradient of {@link #apply}: rotation by the negated angle. */
  INDArray backward(INDArray dy, int[] positions) {
    return rotate(dy, positions, -1);
  }

  private INDArray rotate(INDArray x, int[] positions, int direction) {
    long N = x.size(0), heads = x.size(1);
    int half = headSize / 2;
    INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape());
    FloatBuffer src = Ops.floats(x), dst = Ops.floats(out);
    int maxPos = 0;
    for (int p : positions) maxPos = Math.max(maxPos, p);
    float[][] tab = tables(maxPos + 1);
    float[] cos = tab[0], sin = tab[1];
    for (int n = 0; n < N; n++) {
      int t = positions[n] * half;
      for (int h = 0; h < heads; h++) {
        int o = (int) ((n * heads + h) * headSize);
        for (int i = 0; i < half; i++) {
          float c = cos[t + i], s = direction * sin[t + i], x1 = src.get(o + i), x2 = src.get(o + i + half);
          dst.put(o + i, x1 * c - x2 * s);
          dst.put(o + i + half, x2 * c + x1 * s);
        }
      }
    }
    return out;
  }
}
