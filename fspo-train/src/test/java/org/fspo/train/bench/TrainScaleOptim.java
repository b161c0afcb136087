package org.fspo.train.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.lora.LoraAdapters;
import org.fspo.train.model.lora.LoraConfig;
import org.fspo.train.optim.AdamW;
import org.fspo.train.optim.Gradients;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Benchmark (not a test) of {@link TrainScale}'s optimizer phase alone, on the LoRA r16 adapter of a real shape: the
 * production path (Gradients.clip, then optim.AdamW, some 14 ND4J ops per tensor) against the same update written as
 * one fused Java loop per tensor ({@link TrainThroughput.AdamW} plus a Java sum of squares for the norm). Random
 * gradients; median of the repetitions. Prints one JSON object.
 *
 * <p>Usage: TrainScaleOptim smollm2-135m|qwen2.5-0.5b REPS
 */
public final class TrainScaleOptim {
  public static void main(String[] args) throws Exception {
    int reps = Integer.parseInt(args[1]);
    TransformerLm model = TrainScale.randomModel(TrainScale.config(args[0]), 0);
    LoraAdapters.init(model, LoraConfig.of(TrainScale.LORA_R, TrainScale.LORA_ALPHA, false,
        List.of(LoraConfig.ALL_LINEAR)), 1);
    LinkedHashMap<String, INDArray> params = model.parameters();
    AdamW production = AdamW.withWeightDecay(0.0);
    TrainThroughput.AdamW fused = new TrainThroughput.AdamW(params);
    double[] prod = new double[reps], java = new double[reps];
    for (int r = 0; r < reps + 1; r++) {
      Map<String, INDArray> g = grads(params);
      long t0 = System.nanoTime();
      Gradients.clip(g, TrainScale.CLIP);
      production.step(params, g, TrainScale.LR);
      long t1 = System.nanoTime();
      g.values().forEach(INDArray::close);
      g = grads(params);
      long t2 = System.nanoTime();
      clipJava(g, TrainScale.CLIP);
      fused.step(g, TrainScale.LR);
      long t3 = System.nanoTime();
      g.values().forEach(INDArray::close);
      if (r > 0) { // the first repetition warms up
        prod[r - 1] = (t1 - t0) / 1e9;
        java[r - 1] = (t3 - t2) / 1e9;
      }
    }
    Arrays.sort(prod);
    Arrays.sort(java);
    System.out.printf("{\"name\": \"%s\", \"tensors\": %d, \"values\": %d, \"nd4j_ops_s\": %.4f,"
        + " \"fused_java_s\": %.4f}%n", args[0], params.size(),
        params.values().stream().mapToLong(INDArray::length).sum(), prod[reps / 2], java[reps / 2]);
  }

  private static Map<String, INDArray> grads(Map<String, INDArray> params) {
    LinkedHashMap<String, INDArray> g = new LinkedHashMap<>();
    params.forEach((k, p) -> g.put(k, Nd4j.randn(DataType.FLOAT, p.shape()).muli(1e-3)));
    return g;
  }

  /** Gradients.clip's arithmetic (global L2 norm in double, scale by min(1, max / (norm + 1e-6))) in Java loops. */
  private static void clipJava(Map<String, INDArray> grads, double max) {
    double sq = 0;
    for (INDArray g : grads.values()) {
      java.nio.FloatBuffer b = g.data().asNioFloat();
      for (int i = 0, n = (int) g.length(); i < n; i++) sq += (double) b.get(i) * b.get(i);
    }
    double coef = max / (Math.sqrt(sq) + 1e-6);
    if (coef >= 1) return;
    for (INDArray g : grads.values()) {
      java.nio.FloatBuffer b = g.data().asNioFloat();
      for (int i = 0, n = (int) g.length(); i < n; i++) b.put(i, (float) (b.get(i) * coef));
    }
  }

  private TrainScaleOptim() {}
}
