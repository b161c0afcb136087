package org.fspo.train.model.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.fspo.train.model.Ops;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** LoraLinear against plain-Java double loops of its defining formulas, on random inputs. */
class LoraLinearTest {
  private static final int N = 5, IN = 7, OUT = 6, R = 3;
  private static final double S = 8.0 / R;

  @Test
  void forwardBackwardAndMergeMatchDoubleLoops() {
    Random rng = new Random(1);
    INDArray a = Ops.normal(rng, 0.5, R, IN), b = Ops.normal(rng, 0.5, OUT, R);
    INDArray x = Ops.normal(rng, 1, N, IN), y0 = Ops.normal(rng, 1, N, OUT), dy = Ops.normal(rng, 1, N, OUT);
    INDArray dx0 = Ops.normal(rng, 1, N, IN);
    double[][] A = a.toDoubleMatrix(), B = b.toDoubleMatrix(), X = x.toDoubleMatrix(), DY = dy.toDoubleMatrix();
    LoraLinear lora = new LoraLinear(a, b, S);

    // y[n][o] += s * sum_r B[o][r] * sum_i A[r][i] x[n][i]
    INDArray y = lora.forward(x, y0.dup());
    for (int n = 0; n < N; n++) {
      for (int o = 0; o < OUT; o++) {
        double want = y0.getDouble(n, o);
        for (int r = 0; r < R; r++) {
          double u = 0;
          for (int i = 0; i < IN; i++) u += A[r][i] * X[n][i];
          want += S * B[o][r] * u;
        }
        assertEquals(want, y.getDouble(n, o), 1e-4, "y[" + n + "][" + o + "]");
      }
    }

    // the same into a view (a column block of a wider array), which takes the path without in-place gemm
    INDArray wide = Nd4j.zeros(DataType.FLOAT, N, OUT + 2);
    INDArray view = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(1, OUT + 1)).assign(y0);
    lora.forward(x, view);
    assertEquals(0.0, view.sub(y).amaxNumber().doubleValue(), 1e-5, "forward into a view");
    assertEquals(0.0, wide.getColumn(0).amaxNumber().doubleValue(), 0.0, "outside the view untouched");

    // L = sum dy * y: dB[o][r] = s sum_n dy[n][o] u[n][r]; dA[r][i] = s sum_n (dy B)[n][r] x[n][i];
    // dx[n][i] += s sum_r (dy B)[n][r] A[r][i]
    INDArray dx = dx0.dup();
    INDArray[] g = lora.backward(x, dy, dx);
    double[][] t = new double[N][R], u = new double[N][R];
    for (int n = 0; n < N; n++) {
      for (int r = 0; r < R; r++) {
        for (int o = 0; o < OUT; o++) t[n][r] += DY[n][o] * B[o][r];
        for (int i = 0; i < IN; i++) u[n][r] += A[r][i] * X[n][i];
      }
    }
    for (int r = 0; r < R; r++) {
      for (int i = 0; i < IN; i++) {
        double want = 0;
        for (int n = 0; n < N; n++) want += S * t[n][r] * X[n][i];
        assertEquals(want, g[0].getDouble(r, i), 1e-4, "dA[" + r + "][" + i + "]");
      }
      for (int o = 0; o < OUT; o++) {
        double want = 0;
        for (int n = 0; n < N; n++) want += S * DY[n][o] * u[n][r];
        assertEquals(want, g[1].getDouble(o, r), 1e-4, "dB[" + o + "][" + r + "]");
      }
    }
    for (int n = 0; n < N; n++) {
      for (int i = 0; i < IN; i++) {
        double want = dx0.getDouble(n, i);
        for (int r = 0; r < R; r++) want += S * t[n][r] * A[r][i];
        assertEquals(want, dx.getDouble(n, i), 1e-4, "dx[" + n + "][" + i + "]");
      }
    }

    // merge: Linear W [out, in] += s B A; Conv1D W [in, out] += s (B A)^T
    INDArray wLinear = Ops.normal(rng, 1, OUT, IN), wConv = wLinear.transpose().dup();
    INDArray before = wLinear.dup();
    lora.mergeInto(wLinear, false);
    lora.mergeInto(wConv, true);
    for (int o = 0; o < OUT; o++) {
      for (int i = 0; i < IN; i++) {
        double want = before.getDouble(o, i);
        for (int r = 0; r < R; r++) want += S * B[o][r] * A[r][i];
        assertEquals(want, wLinear.getDouble(o, i), 1e-4, "merged Linear W[" + o + "][" + i + "]");
        assertEquals(want, wConv.getDouble(i, o), 1e-4, "merged Conv1D W[" + i + "][" + o + "]");
      }
    }
  }
}
