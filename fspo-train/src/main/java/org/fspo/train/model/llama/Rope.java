package org.fspo.train.model.llama;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary position embedding as HF Llama applies it (LlamaRotaryEmbedding + apply_rotary_pos_emb):
 * inv_freq[i] = theta^(-2i/hs), angle = pos * inv_freq, cos/sin = cat(angle, angle), and
 * {@code x' = x * cos + rotate_half(x) * sin} with {@code rotate_half(x) = cat(-x[hs/2:], x[:hs/2])}
 * (the half-split convention, not interleaved pairs).
 */
final class Rope {
  private final INDArray cos, sin; // [maxPos, hs]

  Rope(int maxPositions, int headSize, double theta) {
    float[] c = new float[maxPositions * headSize], s = new float[maxPositions * headSize];
    int half = headSize / 2;
    for (int p = 0; p < maxPositions; p++) {
      for (int i = 0; i < half; i++) {
        // HF computes inv_freq in float32 and the angle as a float32 product; match that rounding
        float invFreq = (float) (1.0 / Math.pow(theta, (2.0 * i) / headSize));
        float angle = p * invFreq;
        c[p * headSize + i] = c[p * headSize + i + half] = (float) Math.cos(angle);
        s[p * headSize + i] = s[p * headSize + i + half] = (float) Math.sin(angle);
      }
    }
    cos = Nd4j.create(c, new long[] {maxPositions, headSize}, 'c');
    sin = Nd4j.create(s, new long[] {maxPositions, headSize}, 'c');
  }

  /** {cos, sin} rows for the given positions, shaped [N, 1, hs] to broadcast over heads. */
  INDArray[] tables(int[] positions) {
    long n = positions.length, hs = cos.size(1);
    return new INDArray[] {
      Nd4j.pullRows(cos, 1, positions).reshape('c', n, 1, hs), Nd4j.pullRows(sin, 1, positions).reshape('c', n, 1, hs)
    };
  }

  /** x [N, heads, hs] -> x * cos + rotate_half(x) * sin. */
  static INDArray apply(INDArray x, INDArray[] cs) {
    return x.mul(cs[0]).addi(rotateHalf(x, false).muli(cs[1]));
  }

  /** The transpose: dx = dy * cos + rotate_half^T(dy * sin), rotate_half^T(y) = cat(y[hs/2:], -y[:hs/2]). */
  static INDArray backward(INDArray dy, INDArray[] cs) {
    INDArray ys = dy.mul(cs[1]);
    return dy.mul(cs[0]).addi(rotateHalf(ys, true));
  }

  /** cat(-x2, x1), or with transpose cat(x2, -x1), over the last dimension of [N, heads, hs]. */
  private static INDArray rotateHalf(INDArray x, boolean transpose) {
    long hs = x.size(2), half = hs / 2;
    INDArray out = Nd4j.create(x.dataType(), x.shape());
    INDArray x1 = x.get(all(), all(), interval(0, half)), x2 = x.get(all(), all(), interval(half, hs));
    out.get(all(), all(), interval(0, half)).assign(transpose ? x2 : x2.neg());
    out.get(all(), all(), interval(half, hs)).assign(transpose ? x1.neg() : x1);
    return out;
  }
}
