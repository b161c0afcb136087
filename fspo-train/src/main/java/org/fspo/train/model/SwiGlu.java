package org.fspo.train.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gated activation of a Llama MLP (HF LlamaMLP: {@code act_fn(gate_proj(x)) * up_proj(x)}, act_fn SiLU), forward
 * and backward, each one fused pass over [N, I] float32 arrays instead of a chain of ND4J ops (sigmoid, mul, rsub,
 * add, ...), each of which reads and writes the whole array. silu(g) is not kept for the backward pass: recomputing it
 * from g costs one exp per element and saves an [N, I] array per layer.
 *
 * <pre>
 *   h      = silu(g) * u,  silu(g) = g * s,  s = sigmoid(g)
 *   du     = dh * silu(g)
 *   dg     = dh * u * s * (1 + g * (1 - s))
 * </pre>
 */
public final class SwiGlu {
  private SwiGlu() {}

  /** h = silu(gate) * up, a new array of their shape. */
  public static INDArray forward(INDArray gate, INDArray up) {
    INDArray h = Nd4j.createUninitialized(gate.dataType(), gate.shape());
    FloatBuffer gs = Ops.floats(gate), us = Ops.floats(up), hs = Parallel.floats(h);
    int n = (int) gate.length();
    Parallel.rows(chunks(n), CHUNK, (from, to) -> {
      for (int i = from * CHUNK, end = Math.min(n, to * CHUNK); i < end; i++) {
        float g = gs.get(i);
        hs.put(i, g * sigmoid(g) * us.get(i));
      }
    });
    return h;
  }

  /**
   * Given dh, returns {dgate, dup}; dup is written over dh (dh is consumed), dgate is a new array. The gradients of
   * {@link #forward} at (gate, up).
   */
  public static INDArray[] backward(INDArray gate, INDArray up, INDArray dh) {
    INDArray dGate = Nd4j.createUninitialized(gate.dataType(), gate.shape());
    FloatBuffer gs = Ops.floats(gate), us = Ops.floats(up), ds = Parallel.floats(dh), out = Parallel.floats(dGate);
    int n = (int) gate.length();
    Parallel.rows(chunks(n), CHUNK, (from, to) -> {
      for (int i = from * CHUNK, end = Math.min(n, to * CHUNK); i < end; i++) {
        float g = gs.get(i), s = sigmoid(g), d = ds.get(i);
        out.put(i, d * us.get(i) * s * (1 + g * (1 - s)));
        ds.put(i, d * g * s);
      }
    });
    return new INDArray[] {dGate, dh};
  }

  /** 1 / (1 + e^-x) in float, as torch's sigmoid; saturates to 0 and 1 without overflow trouble. */
  private static float sigmoid(float x) {
    return (float) (1 / (1 + Math.exp(-x)));
  }

  private static final int CHUNK = 1024; // elements per parallel work unit

  private static int chunks(int n) {
    return (n + CHUNK - 1) / CHUNK;
  }
}
