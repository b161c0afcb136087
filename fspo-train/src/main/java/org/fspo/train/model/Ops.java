package org.fspo.train.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The numeric pieces both model families share, each a forward and a backward over float32 INDArrays of shape
 * [N, C] (N rows of width C) unless stated. Tested against plain-Java double loops in OpsTest. Every method returns
 * new arrays and leaves its inputs untouched, except where the name ends in "InPlace".
 */
public final class Ops {
  private Ops() {}

  // ---- matrix products (OpenBLAS sgemm through Nd4j.matmul; INDArray.mmul is 2-4x slower here) ----

  /** a @ b, with either operand optionally transposed (its last two dims); batched over leading dims. */
  public static INDArray mm(INDArray a, INDArray b, boolean transA, boolean transB) {
    return Nd4j.matmul(a, b, null, transA, transB, false);
  }

  /** y = x @ w (+ bias): GPT-2's Conv1D layout, w is [in, out]. */
  public static INDArray conv1d(INDArray x, INDArray w, INDArray bias) {
    return addBias(mm(x, w, false, false), bias);
  }

  /** y [N, C] += bias [C] on every row, in place; y unchanged when bias is null. */
  public static INDArray addBias(INDArray y, INDArray bias) {
    if (bias == null) return y;
    int N = (int) y.size(0), C = (int) y.size(1);
    FloatBuffer ys = Parallel.floats(y), bs = Parallel.floats(dense(bias));
    Parallel.rows(N, C, (from, to) -> {
      for (int n = from; n < to; n++) {
        for (int c = 0; c < C; c++) ys.put(n * C + c, ys.get(n * C + c) + bs.get(c));
      }
    });
    return y;
  }

  /** y = x @ w^T: torch.nn.Linear without bias, w is [out, in]. */
  public static INDArray linear(INDArray x, INDArray w) {
    return mm(x, w, false, true);
  }

  /** y = x @ w^T + bias: torch.nn.Linear, w is [out, in], bias [out] or null. */
  public static INDArray linear(INDArray x, INDArray w, INDArray bias) {
    return addBias(mm(x, w, false, true), bias);
  }

  /** Column sums [C] of dy [N, C]: a bias gradient. A Java loop, ~20x faster here than dy.sum(0). */
  public static INDArray colSum(INDArray dy) {
    int N = (int) dy.size(0), C = (int) dy.size(1);
    FloatBuffer ds = Parallel.floats(dense(dy));
    double[] sum = new double[C];
    for (int n = 0; n < N; n++) {
      for (int c = 0; c < C; c++) sum[c] += ds.get(n * C + c);
    }
    return Nd4j.create(sum, new long[] {C}, 'c').castTo(dy.dataType());
  }

  /** Column sums [C] of a * b, a and b [N, C], without the product array (a norm's gain gradient). */
  static INDArray colSumProduct(INDArray a, INDArray b) {
    int N = (int) a.size(0), C = (int) a.size(1);
    FloatBuffer as = Parallel.floats(dense(a)), bs = Parallel.floats(dense(b));
    double[] sum = new double[C];
    for (int n = 0; n < N; n++) {
      for (int c = 0; c < C; c++) sum[c] += as.get(n * C + c) * bs.get(n * C + c);
    }
    return Nd4j.create(sum, new long[] {C}, 'c').castTo(a.dataType());
  }

  // ---- LayerNorm (GPT-2): y = (x - mean) * rstd * g + b, rstd = 1/sqrt(var + eps), biased variance ----

  /** Saved for the backward pass: the normalised input [N, C] and 1/std per row [N]. */
  public record NormCache(INDArray xhat, INDArray rstd) {}

  public static INDArray layerNorm(INDArray x, INDArray g, INDArray b, double eps, NormCache[] cache) {
    return norm(x, g, b, eps, true, cache);
  }

  /** dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * g; dg, db column sums. */
  public static INDArray layerNormBackward(INDArray dy, INDArray g, NormCache c, INDArray[] dgDb) {
    dgDb[0] = colSumProduct(dy, c.xhat());
    dgDb[1] = colSum(dy);
    return normBackward(dy, g, c, true, null);
  }

  // ---- RMSNorm (Llama): y = g * x * rstd, rstd = 1/sqrt(mean(x^2) + eps) ----

  public static INDArray rmsNorm(INDArray x, INDArray g, double eps, NormCache[] cache) {
    return norm(x, g, null, eps, false, cache);
  }

  /** dx = rstd * (dxhat - xhat * mean(dxhat * xhat)), dxhat = dy * g; dg = sum(dy * xhat). */
  public static INDArray rmsNormBackward(INDArray dy, INDArray g, NormCache c, INDArray[] dg) {
    return rmsNormBackward(dy, g, c, dg, null);
  }

  /** As above, with dx added into into [N, C] (a residual's gradient; returned) when it is not null. */
  public static INDArray rmsNormBackward(INDArray dy, INDArray g, NormCache c, INDArray[] dg, INDArray into) {
    dg[0] = colSumProduct(dy, c.xhat());
    return normBackward(dy, g, c, false, into);
  }

  /** One fused pass per row: LayerNorm when centered, else RMSNorm (then b is null). */
  private static INDArray norm(INDArray x, INDArray g, INDArray b, double eps, boolean centered, NormCache[] cache) {
    int N = (int) x.size(0), C = (int) x.size(1);
    INDArray xhat = Nd4j.createUninitialized(x.dataType(), N, C), rstd = Nd4j.createUninitialized(x.dataType(), N);
    INDArray y = Nd4j.createUninitialized(x.dataType(), N, C);
    FloatBuffer xs = Parallel.floats(dense(x)), hs = Parallel.floats(xhat), rs = Parallel.floats(rstd);
    FloatBuffer ys = Parallel.floats(y), gs = Parallel.floats(dense(g)), bs = b == null ? null : Parallel.floats(dense(b));
    Parallel.rows(N, C, (from, to) -> {
      for (int n = from; n < to; n++) {
        int o = n * C;
        double mean = 0, var = 0;
        if (centered) {
          for (int c = 0; c < C; c++) mean += xs.get(o + c);
          mean /= C;
        }
        for (int c = 0; c < C; c++) var += (xs.get(o + c) - mean) * (xs.get(o + c) - mean);
        double r = 1 / Math.sqrt(var / C + eps);
        rs.put(n, (float) r);
        for (int c = 0; c < C; c++) {
          float h = (float) ((xs.get(o + c) - mean) * r);
          hs.put(o + c, h);
          ys.put(o + c, bs == null ? h * gs.get(c) : h * gs.get(c) + bs.get(c));
        }
      }
    });
    if (cache != null) cache[0] = new NormCache(xhat, rstd);
    return y;
  }

  private static INDArray normBackward(INDArray dy, INDArray g, NormCache cache, boolean centered, INDArray into) {
    int N = (int) dy.size(0), C = (int) dy.size(1);
    INDArray dx = into != null ? into : Nd4j.createUninitialized(dy.dataType(), N, C);
    boolean add = into != null;
    FloatBuffer ds = Parallel.floats(dense(dy)), hs = Parallel.floats(cache.xhat()), rs = Parallel.floats(cache.rstd());
    FloatBuffer gs = Parallel.floats(dense(g)), out = Parallel.floats(dx);
    Parallel.rows(N, C, (from, to) -> {
      for (int n = from; n < to; n++) {
        int o = n * C;
        double m1 = 0, m2 = 0; // mean(dxhat), mean(dxhat * xhat)
        for (int c = 0; c < C; c++) {
          double dh = ds.get(o + c) * gs.get(c);
          m1 += dh;
          m2 += dh * hs.get(o + c);
        }
        m1 = centered ? m1 / C : 0;
        m2 /= C;
        double r = rs.get(n);
        for (int c = 0; c < C; c++) {
          float d = (float) (r * (ds.get(o + c) * gs.get(c) - m1 - hs.get(o + c) * m2));
          out.put(o + c, add ? out.get(o + c) + d : d);
        }
      }
    });
    return dx;
  }

  /** A dense copy of x in the current workspace: one bulk memory copy. */
  public static INDArray copy(INDArray x) {
    INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape());
    Parallel.floats(out).put(0, Parallel.floats(dense(x)), 0, (int) x.length());
    return out;
  }

  /** The float32 memory of x (densified first if needed), for fused kernels outside this package. */
  public static FloatBuffer floats(INDArray x) {
    return Parallel.floats(dense(x));
  }

  /** a itself when dense c-order, else a dense copy. */
  static INDArray dense(INDArray a) {
    return Parallel.isDense(a) ? a : a.dup('c');
  }

  // ---- activations ----

  private static final double GELU_K = Math.sqrt(2 / Math.PI);

  /** HF gelu_new (NewGELUActivation): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
  public static INDArray geluNew(INDArray x) {
    return geluNew(x, null);
  }

  /** gelu_new of x, also storing tanh(...) into t (same shape) when t is not null, for the backward pass. */
  public static INDArray geluNew(INDArray x, INDArray t) {
    INDArray y = Nd4j.createUninitialized(x.dataType(), x.shape());
    FloatBuffer xs = Parallel.floats(dense(x)), ys = Parallel.floats(y), ts = t == null ? null : Parallel.floats(t);
    int n = (int) x.length();
    Parallel.rows(n / 256 + 1, 256, (from, to) -> {
      for (int i = from * 256; i < Math.min(n, to * 256); i++) {
        double v = xs.get(i), th = tanh(GELU_K * (v + 0.044715 * v * v * v));
        ys.put(i, (float) (0.5 * v * (1 + th)));
        if (ts != null) ts.put(i, (float) th);
      }
    });
    return y;
  }

  /** d gelu_new / dx = 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2), times dy. */
  public static INDArray geluNewBackward(INDArray x, INDArray dy) {
    return geluNewBackward(x, null, dy);
  }

  /** As above, with t = tanh(...) saved by the forward pass (recomputed when null). */
  public static INDArray geluNewBackward(INDArray x, INDArray t, INDArray dy) {
    INDArray dx = Nd4j.createUninitialized(x.dataType(), x.shape());
    FloatBuffer xs = Parallel.floats(dense(x)), ds = Parallel.floats(dense(dy)), out = Parallel.floats(dx);
    FloatBuffer ts = t == null ? null : Parallel.floats(t);
    int n = (int) x.length();
    Parallel.rows(n / 256 + 1, 256, (from, to) -> {
      for (int i = from * 256; i < Math.min(n, to * 256); i++) {
        double v = xs.get(i);
        double th = ts != null ? ts.get(i) : tanh(GELU_K * (v + 0.044715 * v * v * v));
        double d = 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * GELU_K * (1 + 3 * 0.044715 * v * v);
        out.put(i, (float) (d * ds.get(i)));
      }
    });
    return dx;
  }

  /**
   * tanh through one exp, 1 - 2 / (e^(2u) + 1), saturating at +-1; e^(2u) in float ({@link FastExp}, about one ulp):
   * the result is stored as a float anyway, and Math.exp was most of a decode step's GELU time.
   */
  private static double tanh(double u) {
    return 1 - 2 / (FastExp.exp((float) (2 * u)) + 1.0);
  }

  /** SiLU: x * sigmoid(x). */
  public static INDArray silu(INDArray x) {
    return Transforms.sigmoid(x, true).muli(x);
  }

  /** d silu / dx = s (1 + x (1 - s)), s = sigmoid(x), times dy. */
  public static INDArray siluBackward(INDArray x, INDArray dy) {
    INDArray s = Transforms.sigmoid(x, true);
    INDArray d = s.rsub(1).muli(x).addi(1).muli(s);
    return d.muli(dy);
  }

  // ---- row gathers and their gradients ----

  /** out[idx[n]] += src[n] for a [rows, C] result: the gradient of a row gather (embeddings, scored rows). */
  public static INDArray scatterAddRows(long rows, int[] idx, INDArray src) {
    int C = (int) src.size(1);
    INDArray out = Nd4j.zeros(src.dataType(), rows, C);
    FloatBuffer s = Parallel.floats(dense(src)), o = Parallel.floats(out);
    for (int n = 0; n < idx.length; n++) {
      int to = idx[n] * C, from = n * C;
      for (int c = 0; c < C; c++) o.put(to + c, o.get(to + c) + s.get(from + c));
    }
    return out;
  }

  /** Releases the off-heap memory of arrays that own it now, rather than when the garbage collector runs. */
  public static void close(INDArray... arrays) {
    for (INDArray a : arrays) {
      if (a != null && !a.wasClosed() && a.closeable()) a.close();
    }
  }

  /** A [shape] float32 array of N(0, std) draws from rng, in c order (deterministic for a seed). */
  public static INDArray normal(java.util.Random rng, double std, long... shape) {
    long n = 1;
    for (long d : shape) n *= d;
    float[] v = new float[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
    return Nd4j.create(v, shape, 'c');
  }
}
