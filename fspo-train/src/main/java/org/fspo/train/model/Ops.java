package org.fspo.train.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
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
    INDArray y = mm(x, w, false, false);
    return bias == null ? y : y.addiRowVector(bias);
  }

  /** y = x @ w^T: torch.nn.Linear without bias, w is [out, in]. */
  public static INDArray linear(INDArray x, INDArray w) {
    return mm(x, w, false, true);
  }

  /** Column sums [C] of dy [N, C]: a bias gradient. A ones-vector gemv, ~20x faster here than dy.sum(0). */
  public static INDArray colSum(INDArray dy) {
    INDArray ones = Nd4j.ones(dy.dataType(), 1, dy.size(0));
    return mm(ones, dy, false, false).reshape(dy.size(1)); // [1, N] @ [N, C]
  }

  // ---- LayerNorm (GPT-2): y = (x - mean) * rstd * g + b, rstd = 1/sqrt(var + eps), biased variance ----

  /** Saved for the backward pass: the normalised input and 1/std per row [N, 1]. */
  public record NormCache(INDArray xhat, INDArray rstd) {}

  public static INDArray layerNorm(INDArray x, INDArray g, INDArray b, double eps, NormCache[] cache) {
    INDArray mean = x.mean(true, 1); // [N, 1]
    INDArray xhat = x.subColumnVector(mean); // [N, C]
    INDArray var = xhat.mul(xhat).mean(true, 1);
    INDArray rstd = Transforms.pow(var.addi(eps), -0.5, false); // [N, 1]
    xhat.muliColumnVector(rstd);
    if (cache != null) cache[0] = new NormCache(xhat, rstd);
    return xhat.mulRowVector(g).addiRowVector(b);
  }

  /** dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * g; dg, db column sums. */
  public static INDArray layerNormBackward(INDArray dy, INDArray g, NormCache c, INDArray[] dgDb) {
    INDArray dxhat = dy.mulRowVector(g);
    dgDb[0] = colSum(dy.mul(c.xhat()));
    dgDb[1] = colSum(dy);
    INDArray m1 = dxhat.mean(true, 1);
    INDArray m2 = dxhat.mul(c.xhat()).mean(true, 1);
    INDArray dx = dxhat.subiColumnVector(m1).subi(c.xhat().mulColumnVector(m2));
    return dx.muliColumnVector(c.rstd());
  }

  // ---- RMSNorm (Llama): y = g * x * rstd, rstd = 1/sqrt(mean(x^2) + eps) ----

  public static INDArray rmsNorm(INDArray x, INDArray g, double eps, NormCache[] cache) {
    INDArray rstd = Transforms.pow(x.mul(x).mean(true, 1).addi(eps), -0.5, false); // [N, 1]
    INDArray xhat = x.mulColumnVector(rstd); // [N, C]
    if (cache != null) cache[0] = new NormCache(xhat, rstd);
    return xhat.mulRowVector(g);
  }

  /** dx = rstd * (dxhat - xhat * mean(dxhat * xhat)), dxhat = dy * g; dg = sum(dy * xhat). */
  public static INDArray rmsNormBackward(INDArray dy, INDArray g, NormCache c, INDArray[] dg) {
    INDArray dxhat = dy.mulRowVector(g);
    dg[0] = colSum(dy.mul(c.xhat()));
    INDArray m2 = dxhat.mul(c.xhat()).mean(true, 1);
    return dxhat.subi(c.xhat().mulColumnVector(m2)).muliColumnVector(c.rstd());
  }

  // ---- activations ----

  private static final double GELU_K = Math.sqrt(2 / Math.PI);

  /** HF gelu_new (NewGELUActivation): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
  public static INDArray geluNew(INDArray x) {
    INDArray t = geluTanh(x);
    return t.addi(1).muli(x).muli(0.5);
  }

  /** d gelu_new / dx = 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2), times dy. */
  public static INDArray geluNewBackward(INDArray x, INDArray dy) {
    INDArray t = geluTanh(x);
    INDArray inner = x.mul(x).muli(3 * 0.044715).addi(1).muli(GELU_K); // d(tanh argument)/dx
    INDArray sech2 = t.mul(t).rsubi(1);
    INDArray d = sech2.muli(inner).muli(x).muli(0.5).addi(t.addi(1).muli(0.5));
    return d.muli(dy);
  }

  private static INDArray geluTanh(INDArray x) {
    INDArray u = x.mul(x).muli(0.044715).addi(1).muli(x).muli(GELU_K); // sqrt(2/pi) (x + 0.044715 x^3)
    return Transforms.tanh(u, false);
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

  // ---- softmax over the last dimension ----

  public static INDArray softmaxLastInPlace(INDArray x) {
    Nd4j.exec(new SoftMax(x, x, x.rank() - 1));
    return x;
  }

  /** dS = P * (dP - sum(dP * P, last)); overwrites dP. */
  public static INDArray softmaxBackwardInPlace(INDArray p, INDArray dp) {
    int last = p.rank() - 1;
    INDArray dot = dp.mul(p).sum(true, last); // [..., 1]
    dp.subi(dot).muli(p);
    dot.close();
    return dp;
  }

  // ---- row gathers and their gradients ----

  /** out[idx[n]] += src[n] for a [rows, C] result: the gradient of a row gather (embeddings, scored rows). */
  public static INDArray scatterAddRows(long rows, int[] idx, INDArray src) {
    int C = (int) src.size(1);
    float[] s = src.dup('c').reshape(src.length()).toFloatVector();
    float[] out = new float[Math.toIntExact(rows * C)];
    for (int n = 0; n < idx.length; n++) {
      int o = idx[n] * C, i = n * C;
      for (int c = 0; c < C; c++) out[o + c] += s[i + c];
    }
    return Nd4j.create(out, new long[] {rows, C}, 'c');
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
