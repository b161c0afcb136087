package org.fspo.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Single steps against hand-computed torch.optim values, a scalar oracle for later steps, schedule and clipping. */
class OptimizersTest {
  static LinkedHashMap<String, INDArray> params() {
    LinkedHashMap<String, INDArray> p = new LinkedHashMap<>();
    p.put("w", Nd4j.createFromArray(1.0f, -2.0f));
    return p;
  }

  static Map<String, INDArray> grad(float... g) {
    return Map.of("w", Nd4j.createFromArray(g));
  }

  @Test
  void adamWFirstStepByHand() {
    // p = p (1 - 0.1*0.01) = [0.999, -1.998]; m/(1-b1) = g; sqrt(v/(1-b2)) = |g|; update = lr sign(g) = [0.1, -0.1]
    LinkedHashMap<String, INDArray> p = params();
    AdamW opt = AdamW.withWeightDecay(0.01);
    opt.step(p, grad(0.5f, -1.0f), 0.1);
    assertArrayEquals(new float[] {0.899f, -1.898f}, p.get("w").toFloatVector(), 1e-6f);
    assertEquals(1, opt.steps());
    assertArrayEquals(new float[] {0.05f, -0.1f}, opt.state().get("exp_avg.w").toFloatVector(), 1e-7f);
    assertArrayEquals(new float[] {0.00025f, 0.001f}, opt.state().get("exp_avg_sq.w").toFloatVector(), 1e-9f);
  }

  @Test
  void adamWLaterStepsFollowTheScalarFormula() {
    LinkedHashMap<String, INDArray> p = params();
    AdamW opt = new AdamW(0.9, 0.999, 1e-8, 0.05);
    double[] w = {1.0, -2.0}, m = new double[2], v = new double[2];
    float[][] gs = {{0.5f, -1f}, {0.1f, 0.2f}, {-0.3f, 0.05f}};
    for (int t = 1; t <= gs.length; t++) {
      double lr = 0.01 * t;
      opt.step(p, grad(gs[t - 1]), lr);
      for (int i = 0; i < 2; i++) {
        w[i] *= 1 - lr * 0.05;
        m[i] = 0.9 * m[i] + 0.1 * gs[t - 1][i];
        v[i] = 0.999 * v[i] + 0.001 * gs[t - 1][i] * gs[t - 1][i];
        w[i] -= lr / (1 - Math.pow(0.9, t)) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8);
      }
    }
    assertArrayEquals(new float[] {(float) w[0], (float) w[1]}, p.get("w").toFloatVector(), 1e-6f);
  }

  @Test
  void rmsPropFirstStepByHand() {
    // g' = g + 0.01 p = [0.51, -1.02]; s = 0.01 g'^2; sqrt(s) = 0.1 |g'|; update = 0.1 * 10 sign(g') = [1, -1]
    LinkedHashMap<String, INDArray> p = params();
    RmsProp opt = RmsProp.withWeightDecay(0.01);
    opt.step(p, grad(0.5f, -1.0f), 0.1);
    assertArrayEquals(new float[] {0.0f, -1.0f}, p.get("w").toFloatVector(), 1e-6f);
    assertArrayEquals(new float[] {0.002601f, 0.010404f}, opt.state().get("square_avg.w").toFloatVector(), 1e-8f);
    // second step, no decay on the buffer's memory: s = 0.99 s + 0.01 g'^2 with g' = [0.2, 0.2 - 0.01]
    opt.step(p, grad(0.2f, 0.2f), 0.1);
    double g0 = 0.2 + 0.01 * 0.0, g1 = 0.2 + 0.01 * -1.0;
    double s0 = 0.99 * 0.002601 + 0.01 * g0 * g0, s1 = 0.99 * 0.010404 + 0.01 * g1 * g1;
    assertArrayEquals(new float[] {(float) (0.0 - 0.1 * g0 / (Math.sqrt(s0) + 1e-8)),
        (float) (-1.0 - 0.1 * g1 / (Math.sqrt(s1) + 1e-8))}, p.get("w").toFloatVector(), 1e-5f);
  }

  @Test
  void stateRoundTripsForResume() {
    LinkedHashMap<String, INDArray> a = params(), b = params();
    AdamW first = AdamW.withWeightDecay(0.01), second = AdamW.withWeightDecay(0.01);
    first.step(a, grad(0.5f, -1f), 0.1);
    b.get("w").assign(a.get("w"));
    LinkedHashMap<String, INDArray> copy = new LinkedHashMap<>();
    first.state().forEach((k, x) -> copy.put(k, x.dup()));
    second.load(copy, first.steps());
    first.step(a, grad(0.1f, 0.3f), 0.1);
    second.step(b, grad(0.1f, 0.3f), 0.1);
    assertArrayEquals(a.get("w").toFloatVector(), b.get("w").toFloatVector(), 0f);
  }

  @Test
  void scheduleWarmsUpThenDecays() {
    LrSchedule linear = new LrSchedule(1.0, 4, 14, LrSchedule.Decay.LINEAR);
    assertEquals(0.25, linear.at(0), 1e-12);
    assertEquals(1.0, linear.at(3), 1e-12);
    assertEquals(1.0, linear.at(4), 1e-12);
    assertEquals(0.5, linear.at(9), 1e-12);
    assertEquals(0.0, linear.at(14), 1e-12);
    LrSchedule cosine = new LrSchedule(2.0, 0, 10, LrSchedule.Decay.COSINE);
    assertEquals(2.0, cosine.at(0), 1e-12);
    assertEquals(1.0, cosine.at(5), 1e-12);
    assertEquals(2.0, new LrSchedule(2.0, 2, 10, LrSchedule.Decay.CONSTANT).at(9), 1e-12);
  }

  @Test
  void adamWLoopOnPlainBuffersEqualsTheNd4jPathOnViews() {
    // 300,001 elements: FloatLoops.ranges splits the loop over the cores (on a machine with more than one)
    for (int n : new int[] {37, 300_001}) adamWLoopEqualsNd4jPath(n);
  }

  /** The same 3 steps, once on plain float32 arrays (the fused loop) and once on views of a wider matrix (ND4J ops). */
  private static void adamWLoopEqualsNd4jPath(int n) {
    java.util.Random random = new java.util.Random(5);
    float[] w0 = new float[n];
    for (int i = 0; i < w0.length; i++) w0[i] = (float) random.nextGaussian();
    INDArray wide = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, n);
    wide.getRow(1).assign(Nd4j.createFromArray(w0));
    LinkedHashMap<String, INDArray> plain = new LinkedHashMap<>(), view = new LinkedHashMap<>();
    plain.put("w", Nd4j.createFromArray(w0));
    view.put("w", wide.getRow(1));
    assertTrue(FloatLoops.plain(plain.get("w")) && !FloatLoops.plain(view.get("w")));
    AdamW fused = new AdamW(0.9, 0.999, 1e-8, 0.05), ops = new AdamW(0.9, 0.999, 1e-8, 0.05);
    for (int t = 0; t < 3; t++) {
      float[] g = new float[n];
      for (int i = 0; i < g.length; i++) g[i] = (float) random.nextGaussian();
      fused.step(plain, Map.of("w", Nd4j.createFromArray(g)), 0.01);
      ops.step(view, Map.of("w", wide.getRow(0).assign(Nd4j.createFromArray(g))), 0.01);
    }
    assertArrayEquals(view.get("w").toFloatVector(), plain.get("w").toFloatVector(), 1e-6f, n + " elements");
    assertTrue(Math.abs(plain.get("w").getFloat(n - 1) - w0[n - 1]) > 1e-3, "the steps moved the last weight");
  }

  @Test
  void clippingScalesToTheMaxNormAndReportsTheNormBefore() {
    Map<String, INDArray> g = new LinkedHashMap<>();
    g.put("a", Nd4j.createFromArray(3.0f));
    g.put("b", Nd4j.createFromArray(4.0f, 0f));
    assertEquals(5.0, Gradients.clip(g, 1.0), 1e-6);
    assertEquals(1.0, Gradients.globalNorm(g), 1e-5);
    assertEquals(0.6f, g.get("a").getFloat(0), 1e-5f);
    assertEquals(1.0, Gradients.clip(g, 10.0), 1e-5, "below the limit nothing changes");
    assertEquals(0.6f, g.get("a").getFloat(0), 1e-5f);
    g.get("b").putScalar(1, Float.NaN);
    assertTrue(Double.isNaN(Gradients.clip(g, 1.0)));
  }

  @Test
  void accumulationSums() {
    Gradients acc = new Gradients();
    acc.add(Map.of("w", Nd4j.createFromArray(1f, 2f)));
    acc.add(Map.of("w", Nd4j.createFromArray(0.5f, -1f)));
    assertArrayEquals(new float[] {1.5f, 1f}, acc.take().get("w").toFloatVector(), 0f);
    assertTrue(acc.isEmpty());
  }
}
