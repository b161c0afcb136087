package org.fspo.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The shared numeric pieces against plain-Java double loops on random inputs: forwards against the formula,
 * backwards against central finite differences of the double-precision oracle.
 */
class OpsTest {
  private final Random rng = new Random(7);
  private static final int N = 3, C = 6;

  @Test
  void layerNormMatchesOracle() {
    double[] x = rand(N * C), g = rand(C), b = rand(C), dy = rand(N * C);
    Ops.NormCache[] cache = new Ops.NormCache[1];
    INDArray y = Ops.layerNorm(arr(x, N, C), arr(g, C), arr(b, C), 1e-5, cache);
    close(y, layerNorm(x, g, b), 1e-5);
    INDArray[] dgdb = new INDArray[2];
    INDArray dx = Ops.layerNormBackward(arr(dy, N, C), arr(g, C), cache[0], dgdb);
    close(dx, numGrad(v -> dot(dy, layerNorm(v, g, b)), x), 1e-4);
    close(dgdb[0], numGrad(v -> dot(dy, layerNorm(x, v, b)), g), 1e-4);
    close(dgdb[1], numGrad(v -> dot(dy, layerNorm(x, g, v)), b), 1e-4);
  }

  @Test
  void rmsNormMatchesOracle() {
    double[] x = rand(N * C), g = rand(C), dy = rand(N * C);
    Ops.NormCache[] cache = new Ops.NormCache[1];
    close(Ops.rmsNorm(arr(x, N, C), arr(g, C), 1e-6, cache), rmsNorm(x, g), 1e-5);
    INDArray[] dg = new INDArray[1];
    INDArray dx = Ops.rmsNormBackward(arr(dy, N, C), arr(g, C), cache[0], dg);
    close(dx, numGrad(v -> dot(dy, rmsNorm(v, g)), x), 1e-4);
    close(dg[0], numGrad(v -> dot(dy, rmsNorm(x, v)), g), 1e-4);
    // added into a residual's gradient r: r + dx, in r itself
    double[] r = rand(N * C), want = numGrad(v -> dot(dy, rmsNorm(v, g)), x);
    for (int i = 0; i < want.length; i++) want[i] += r[i];
    INDArray into = arr(r, N, C);
    INDArray sum = Ops.rmsNormBackward(arr(dy, N, C), arr(g, C), cache[0], dg, into);
    assertTrue(sum == into, "the sum is written into the given array");
    close(sum, want, 1e-4);
  }

  @Test
  void activationsMatchOracle() {
    double[] x = new double[N * C], dy = rand(N * C);
    for (int i = 0; i < x.length; i++) x[i] = 6 * rng.nextDouble() - 3;
    close(Ops.geluNew(arr(x, N, C)), map(x, OpsTest::gelu), 1e-5);
    close(Ops.geluNewBackward(arr(x, N, C), arr(dy, N, C)), numGrad(v -> dot(dy, map(v, OpsTest::gelu)), x), 1e-4);
    close(Ops.silu(arr(x, N, C)), map(x, OpsTest::silu), 1e-5);
    close(Ops.siluBackward(arr(x, N, C), arr(dy, N, C)), numGrad(v -> dot(dy, map(v, OpsTest::silu)), x), 1e-4);
  }

  @Test
  void groupedQueryAttentionWithSharedPrefixMaskMatchesOracle() {
    // one pair sharing a 3-token prompt: [p p p a a | p p p b], run as one row [p p p a a b]
    TokenBatch batch = new TokenBatch(new int[][] {{5, 6, 7, 8, 9}, {5, 6, 7, 4, 0}},
        new int[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}}, new int[][] {{0, 0, 0, 1, 1}, {0, 0, 0, 1, 0}});
    Layout layout = Layout.sharedPrefix(batch);
    assertArrayEquals(new int[] {5, 6, 7, 8, 9, 4}, layout.ids()[0]);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 3}, layout.positions()[0]);
    assertArrayEquals(new int[] {0, 0, 0, 1, 1, 2}, layout.segments()[0]);
    assertArrayEquals(new int[] {2, 3, 2}, layout.scorePos()); // token 4 of row 1 is predicted from position 2
    int R = 1, nh = 4, nkv = 2, L = 6, hs = 3;
    double[] q = rand(R * nh * L * hs), k = rand(R * nkv * L * hs), v = rand(R * nkv * L * hs);
    double[] dOut = rand(R * nh * L * hs);
    int[] seg = layout.segments()[0];
    INDArray mask = layout.attentionMask();
    double[] wantDq = numGrad(x -> dot(dOut, attention(x, k, v, seg, nh, nkv, L, hs)), q);
    double[] wantDk = numGrad(x -> dot(dOut, attention(q, x, v, seg, nh, nkv, L, hs)), k);
    double[] wantDv = numGrad(x -> dot(dOut, attention(q, k, x, seg, nh, nkv, L, hs)), v);
    for (int block : new int[] {1, 4, Attention.BLOCK}) { // causal query blocks of any size give the same result
      Attention.Cache[] cache = new Attention.Cache[1];
      INDArray out = Attention.forward(arr(q, R, nh, L, hs), arr(k, R, nkv, L, hs), arr(v, R, nkv, L, hs), mask,
          cache, block);
      close(out, attention(q, k, v, seg, nh, nkv, L, hs), 1e-5);
      INDArray[] d = Attention.backward(arr(dOut, R, nh, L, hs), cache[0]);
      close(d[0], wantDq, 1e-4);
      close(d[1], wantDk, 1e-4);
      close(d[2], wantDv, 1e-4);
    }
  }

  @Test
  void blockedAttentionOverCachedKeysMatchesOneBlock() {
    // decoding: 3 new queries after 4 cached keys; query i sits at key position 4 + i
    int nh = 2, nkv = 1, Lq = 3, Lk = 7, hs = 4;
    float[] m = new float[Lq * Lk];
    for (int i = 0; i < Lq; i++) for (int j = 0; j < Lk; j++) m[i * Lk + j] = j <= 4 + i ? 0f : -1e30f;
    INDArray mask = Nd4j.create(m, new long[] {1, 1, Lq, Lk}, 'c');
    INDArray q = arr(rand(nh * Lq * hs), 1, nh, Lq, hs), k = arr(rand(nkv * Lk * hs), 1, nkv, Lk, hs);
    INDArray v = arr(rand(nkv * Lk * hs), 1, nkv, Lk, hs);
    INDArray one = Attention.forward(q, k, v, mask, null, 128);
    INDArray blocked = Attention.forward(q, k, v, mask, null, 1);
    assertTrue(one.sub(blocked).amaxNumber().doubleValue() < 1e-6);
  }

  @Test
  void logProbHeadMatchesOracleAndSumsRepeatedRows() {
    int M = 4, V = 7;
    double[] h = rand(M * C), w = rand(V * C);
    int[] rows = {1, 3, 1}, targets = {2, 6, 0};
    double[] g = {0.5, -1.5, 2.0};
    LogProbHead.Cache[] cache = new LogProbHead.Cache[1];
    double[] logp = LogProbHead.forward(arr(h, M, C), rows, targets, arr(w, V, C), cache);
    double[] want = logProbs(h, w, rows, targets, V);
    for (int n = 0; n < rows.length; n++) assertTrue(Math.abs(logp[n] - want[n]) < 1e-5, "logp " + n);
    INDArray dW = Nd4j.zeros(V, C);
    INDArray dh = LogProbHead.backward(cache[0], g, arr(w, V, C), dW, M);
    close(dh, numGrad(x -> dot(g, logProbs(x, w, rows, targets, V)), h), 1e-4);
    close(dW, numGrad(x -> dot(g, logProbs(h, x, rows, targets, V)), w), 1e-4);
  }

  // ---------------------------------------------------------------- double oracles

  private static double[] layerNorm(double[] x, double[] g, double[] b) {
    double[] y = new double[x.length];
    for (int n = 0; n < N; n++) {
      double mean = 0, var = 0;
      for (int c = 0; c < C; c++) mean += x[n * C + c] / C;
      for (int c = 0; c < C; c++) var += Math.pow(x[n * C + c] - mean, 2) / C;
      for (int c = 0; c < C; c++) y[n * C + c] = (x[n * C + c] - mean) / Math.sqrt(var + 1e-5) * g[c] + b[c];
    }
    return y;
  }

  private static double[] rmsNorm(double[] x, double[] g) {
    double[] y = new double[x.length];
    for (int n = 0; n < N; n++) {
      double ms = 0;
      for (int c = 0; c < C; c++) ms += x[n * C + c] * x[n * C + c] / C;
      for (int c = 0; c < C; c++) y[n * C + c] = x[n * C + c] / Math.sqrt(ms + 1e-6) * g[c];
    }
    return y;
  }

  private static double gelu(double x) {
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
  }

  private static double silu(double x) {
    return x / (1 + Math.exp(-x));
  }

  /** softmax(q k^T / sqrt(hs) + mask) v, query head h reading kv head h / (nh / nkv); one row. */
  private static double[] attention(double[] q, double[] k, double[] v, int[] seg, int nh, int nkv, int L, int hs) {
    double[] out = new double[nh * L * hs];
    for (int h = 0; h < nh; h++) {
      int kh = h / (nh / nkv);
      for (int i = 0; i < L; i++) {
        double[] s = new double[L];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < L; j++) {
          boolean ok = j <= i && seg[j] >= 0 && (seg[j] == 0 || seg[j] == seg[i]);
          if (!ok) continue;
          for (int e = 0; e < hs; e++) s[j] += q[(h * L + i) * hs + e] * k[(kh * L + j) * hs + e] / Math.sqrt(hs);
          max = Math.max(max, s[j]);
        }
        for (int j = 0; j < L; j++) {
          boolean ok = j <= i && seg[j] >= 0 && (seg[j] == 0 || seg[j] == seg[i]);
          s[j] = ok ? Math.exp(s[j] - max) : 0;
          sum += s[j];
        }
        for (int j = 0; j < L; j++) {
          for (int e = 0; e < hs; e++) out[(h * L + i) * hs + e] += s[j] / sum * v[(kh * L + j) * hs + e];
        }
      }
    }
    return out;
  }

  private static double[] logProbs(double[] h, double[] w, int[] rows, int[] targets, int V) {
    double[] out = new double[rows.length];
    for (int n = 0; n < rows.length; n++) {
      double[] z = new double[V];
      double max = Double.NEGATIVE_INFINITY, sum = 0;
      for (int v = 0; v < V; v++) {
        for (int c = 0; c < C; c++) z[v] += h[rows[n] * C + c] * w[v * C + c];
        max = Math.max(max, z[v]);
      }
      for (int v = 0; v < V; v++) sum += Math.exp(z[v] - max);
      out[n] = z[targets[n]] - max - Math.log(sum);
    }
    return out;
  }

  // ---------------------------------------------------------------- helpers

  private static double[] numGrad(Function<double[], Double> f, double[] x) {
    double[] g = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double old = x[i];
      x[i] = old + 1e-5;
      double up = f.apply(x);
      x[i] = old - 1e-5;
      double down = f.apply(x);
      x[i] = old;
      g[i] = (up - down) / 2e-5;
    }
    return g;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  private static double[] map(double[] x, java.util.function.DoubleUnaryOperator f) {
    return java.util.Arrays.stream(x).map(f).toArray();
  }

  private double[] rand(int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) d[i] = rng.nextGaussian();
    return d;
  }

  private static INDArray arr(double[] d, long... shape) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return Nd4j.create(f, shape, 'c');
  }

  private static void close(INDArray got, double[] want, double tol) {
    double[] g = got.dup('c').reshape(got.length()).toDoubleVector();
    double num = 0, den = 0;
    for (int i = 0; i < want.length; i++) {
      num += (g[i] - want[i]) * (g[i] - want[i]);
      den += want[i] * want[i];
    }
    assertTrue(g.length == want.length, "length " + g.length + " vs " + want.length);
    assertTrue(Math.sqrt(num / den) < tol, "relative error " + Math.sqrt(num / den));
  }
}
