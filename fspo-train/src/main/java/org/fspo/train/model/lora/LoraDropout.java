package org.fspo.train.model.lora;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.fspo.train.model.Ops;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PEFT's lora_dropout (torch.nn.Dropout(p) on the adapter's input, training only): {@code x * m / (1 - p)}, each
 * m_i ~ Bernoulli(1 - p). The mask is a counter-based hash (SplitMix64's finaliser) of (key, element index), not a
 * random stream: the same key gives the same mask in the forward pass, the backward pass and any recomputation, for
 * any thread count, and a resumed run draws the masks an uninterrupted one drew. Dropout is its own gradient
 * (d/dx of x * m / (1 - p) is m / (1 - p)), so the backward pass applies the same mask to dLoss/dx.
 */
final class LoraDropout {
  private static final int BLOCK = 1 << 14;

  private LoraDropout() {}

  /** x * mask / (1 - p) as a new array; x [N, in] is untouched. */
  static INDArray apply(INDArray x, double p, long key) {
    INDArray out = x.dup('c');
    applyInPlace(out, p, key);
    return out;
  }

  /** x = x * mask / (1 - p), in place (x dense c-order float32). */
  static void applyInPlace(INDArray x, double p, long key) {
    FloatBuffer xs = Ops.floats(x);
    int n = (int) x.length();
    float keep = (float) (1 / (1 - p));
    IntStream.range(0, (n + BLOCK - 1) / BLOCK).parallel().forEach(b -> {
      for (int i = b * BLOCK, end = Math.min(n, i + BLOCK); i < end; i++) {
        xs.put(i, uniform(key, i) < p ? 0f : xs.get(i) * keep);
      }
    });
  }

  /** The key of one module's mask in one forward pass. */
  static long key(long passKey, String module) {
    return mix(passKey ^ mix(module.hashCode() + 0x632BE59BD9B4E019L));
  }

  /** A uniform double in [0, 1) for element i under key. */
  static double uniform(long key, long i) {
    return (mix(key + i * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53;
  }

  /** SplitMix64's finaliser (Steele, Lea and Flood 2014): a bijective mix of all 64 bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
