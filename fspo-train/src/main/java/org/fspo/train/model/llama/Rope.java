package org.fspo.train.model.llama;

import java.nio.FloatBuffer;
import org.fspo.train.model.Ops;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary position embedding as HF Llama applies it (LlamaRotaryEmbedding + apply_rotary_pos_emb):
 * inv_freq[i] = theta^(-2i/hs), angle = pos * inv_freq, cos/sin = cat(angle, angle), and
 * {@code x' = x * cos + rotate_half(x) * sin} with {@code rotate_half(x) = cat(-x[hs/2:], x[:hs/2])}
 * (the half-split convention, not interleaved pairs). For i < hs/2, with x1 = x[i], x2 = x[i + hs/2]:
 * {@code x'[i] = x1 cos - x2 sin, x'[i + hs/2] = x2 cos + x1 sin}; the backward pass is the transpose rotation.
 */
final class Rope {
  private final int headSize;
  private final float[] cos, sin; // [maxPos * hs/2]: the two halves share their angles

  Rope(int maxPositions, int headSize, double theta) {
    this.headSize = headSize;
    int half = headSize / 2;
    cos = new float[maxPositions * half];
    sin = new float[maxPositions * half];
    for (int p = 0; p < maxPositions; p++) {
      for (int i = 0; i < half; i++) {
        // HF computes inv_freq in float32 and the angle as a float32 product; match that rounding
        float invFreq = (float) (1.0 / Math.pow(theta, (2.0 * i) / headSize));
        float angle = p * invFreq;
        cos[p * half + i] = (float) Math.cos(angle);
        sin[p * half + i] = (float) Math.sin(angle);
      }
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
