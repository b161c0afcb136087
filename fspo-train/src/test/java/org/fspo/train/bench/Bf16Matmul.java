package org.fspo.train.bench;

import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Would a BF16 frozen base pay here (issue 10, train.lora.base_dtype)? Measures, for the projections of a
 * Qwen2.5-0.5B-shaped LoRA step (N = 1024 tokens: one pair of 512; C 896, I 4864), ND4J's matmul x [N, in] @ W^T
 * [in, out] with W (and x) in F32 and in BF16, and the alternative of keeping W in BF16 and casting it to F32 for
 * each use: time (median of reps), and the error of each against a double-precision reference of the same BF16
 * operands (correctness of the kernel) and of the F32 operands (what BF16 storage costs in accuracy). One JSON
 * line on stdout; scripts/bench/bf16_base writes it to a file.
 *
 * <p>usage: Bf16Matmul [N] [REPS] (REPS for the F32 timings; the BF16 matmul runs once)
 */
public final class Bf16Matmul {
  private Bf16Matmul() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    StringBuilder out = new StringBuilder("{\"tokens\": " + n + ", \"threads\": "
        + Runtime.getRuntime().availableProcessors() + ", \"shapes\": [");
    int[][] shapes = {{896, 896}, {896, 4864}, {4864, 896}}; // {in, out}: q/o_proj, gate/up_proj, down_proj
    for (int s = 0; s < shapes.length; s++) {
      if (s > 0) out.append(", ");
      out.append(shape(n, shapes[s][0], shapes[s][1], reps));
      System.err.println(out);
    }
    System.out.println(out.append("]}"));
  }

  private static String shape(int n, int in, int o, int reps) {
    Random rng = new Random(in * 31L + o);
    INDArray x = normal(rng, n, in, 1.0), w = normal(rng, o, in, 1 / Math.sqrt(in));
    INDArray xb = x.castTo(DataType.BFLOAT16), wb = w.castTo(DataType.BFLOAT16);
    double[] exactF32 = reference(x, w, 32), exactBf16Operands = reference(xb.castTo(DataType.FLOAT),
        wb.castTo(DataType.FLOAT), 32);

    double tF32 = median(reps, () -> Nd4j.matmul(x, w, null, false, true, false).close());
    INDArray yf = Nd4j.matmul(x, w, null, false, true, false);
    long t0 = System.nanoTime(); // once: ND4J 1.0.0-M2.1 has no BF16 BLAS kernel on the CPU, and its fallback is slow
    INDArray yb = Nd4j.matmul(xb, wb, null, false, true, false);
    double tBf16 = (System.nanoTime() - t0) / 1e6;
    double tCast = median(reps, () -> wb.castTo(DataType.FLOAT).close());
    String mixed;
    try {
      INDArray ym = Nd4j.matmul(x, wb, null, false, true, false);
      mixed = "\"" + ym.dataType() + "\"";
    } catch (RuntimeException e) {
      mixed = "\"refused: " + String.valueOf(e.getMessage()).replace('"', '\'').lines().findFirst().orElse("") + "\"";
    }
    return String.format("{\"in\": %d, \"out\": %d, \"f32_ms\": %.1f, \"bf16_ms\": %.1f, \"bf16_over_f32\": %.2f, "
        + "\"cast_w_to_f32_ms\": %.2f, \"f32_rel_err\": %.3g, \"bf16_rel_err_vs_its_operands\": %.3g, "
        + "\"bf16_rel_err_vs_f32_operands\": %.3g, \"bf16_out_dtype\": \"%s\", \"f32_x_bf16_w\": %s}",
        in, o, tF32, tBf16, tBf16 / tF32, tCast, rel(yf, exactF32, 32), rel(yb, exactBf16Operands, 32),
        rel(yb, exactF32, 32), yb.dataType(), mixed);
  }

  /** x @ w^T in doubles, for the first rows rows only (a [rows, out] reference). */
  private static double[] reference(INDArray x, INDArray w, int rows) {
    float[] xs = x.data().asFloat(), ws = w.data().asFloat();
    int in = (int) x.size(1), o = (int) w.size(0);
    double[] y = new double[rows * o];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < o; j++) {
        double acc = 0;
        for (int k = 0; k < in; k++) acc += (double) xs[r * in + k] * ws[j * in + k];
        y[r * o + j] = acc;
      }
    }
    return y;
  }

  /** ||y[:rows] - ref|| / ||ref||. */
  private static double rel(INDArray y, double[] ref, int rows) {
    float[] ys = y.castTo(DataType.FLOAT).data().asFloat();
    double num = 0, den = 0;
    for (int i = 0; i < ref.length; i++) {
      num += (ys[i] - ref[i]) * (ys[i] - ref[i]);
      den += ref[i] * ref[i];
    }
    return Math.sqrt(num / den);
  }

  private static INDArray normal(Random rng, int rows, int cols, double std) {
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
    return Nd4j.create(v, new long[] {rows, cols}, 'c');
  }

  private static double median(int reps, Runnable r) {
    r.run(); // warm-up
    double[] t = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      r.run();
      t[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(t);
    return t[reps / 2];
  }
}
