package org.fspo.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused gated activation against a double-precision oracle (forward), central finite differences of that oracle
 * (backward), the unfused ND4J chain the Llama MLP used before (Ops.silu, mul, Ops.siluBackward), and hand-computed
 * values. Large enough (3 x 5000) that the work is split over the cores.
 */
class SwiGluTest {
  private static final int N = 3, I = 5000;

  @Test
  void handComputedValues() {
    // g = 0: silu 0, sigmoid 1/2: h = 0, du = 0, dg = dh * u * 1/2; g = 2, u = 3: s = 1/(1+e^-2) = 0.8807971
    INDArray g = Nd4j.create(new float[] {0f, 2f}, new long[] {1, 2}, 'c');
    INDArray u = Nd4j.create(new float[] {5f, 3f}, new long[] {1, 2}, 'c');
    INDArray h = SwiGlu.forward(g, u);
    assertEquals(0.0, h.getDouble(0, 0), 0.0);
    assertEquals(2 * 0.8807971 * 3, h.getDouble(0, 1), 1e-5);
    INDArray[] d = SwiGlu.backward(g, u, Nd4j.create(new float[] {1f, 1f}, new long[] {1, 2}, 'c'));
    assertEquals(2.5, d[0].getDouble(0, 0), 1e-6);
    assertEquals(0.0, d[1].getDouble(0, 0), 0.0);
    double s = 0.8807971;
    assertEquals(3 * s * (1 + 2 * (1 - s)), d[0].getDouble(0, 1), 1e-5);
    assertEquals(2 * s, d[1].getDouble(0, 1), 1e-6);
  }

  @Test
  void matchesOracleAndTheUnfusedOps() {
    Random rng = new Random(3);
    double[] g = new double[N * I], u = new double[N * I], dh = new double[N * I];
    for (int i = 0; i < g.length; i++) {
      g[i] = 12 * rng.nextDouble() - 6;
      u[i] = rng.nextGaussian();
      dh[i] = rng.nextGaussian();
    }
    g[0] = -90; // sigmoid underflows to 0: silu and its gradient are 0, not NaN
    g[1] = 90;
    INDArray ga = arr(g), ua = arr(u);
    INDArray h = SwiGlu.forward(ga, ua);
    INDArray[] d = SwiGlu.backward(ga, ua, arr(dh));
    INDArray unfusedH = Ops.silu(ga).mul(ua);
    INDArray unfusedDu = arr(dh).mul(Ops.silu(ga));
    INDArray unfusedDg = Ops.siluBackward(ga, arr(dh).mul(ua));
    double eps = 1e-3;
    for (int i = 0; i < g.length; i++) {
      double want = silu(g[i]) * u[i];
      double wantDg = dh[i] * u[i] * (silu(g[i] + eps) - silu(g[i] - eps)) / (2 * eps);
      close(h.getDouble(i), want, 1e-5, "h", i);
      close(d[1].getDouble(i), dh[i] * silu(g[i]), 1e-5, "du", i);
      close(d[0].getDouble(i), wantDg, 1e-4, "dg", i);
      close(h.getDouble(i), unfusedH.getDouble(i), 1e-5, "h vs unfused", i);
      close(d[1].getDouble(i), unfusedDu.getDouble(i), 1e-5, "du vs unfused", i);
      close(d[0].getDouble(i), unfusedDg.getDouble(i), 1e-5, "dg vs unfused", i);
    }
  }

  private static double silu(double x) {
    return x / (1 + Math.exp(-x));
  }

  private static INDArray arr(double[] v) {
    return Nd4j.create(v, new long[] {N, I}, 'c').castTo(DataType.FLOAT);
  }

  private static void close(double got, double want, double tol, String what, int i) {
    assertTrue(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), what + "[" + i + "]: " + got + " vs " + want);
  }
}
