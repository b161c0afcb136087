package org.fspo.train.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * torch.optim.AdamW (decoupled weight decay, bias correction, amsgrad off), step t = 1, 2, ...:
 *
 * <pre>
 *   p  = p (1 - lr wd)
 *   m  = b1 m + (1 - b1) g            v = b2 v + (1 - b2) g^2
 *   p  = p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 *
 * Buffers m and v are created lazily with the parameter's shape and type (float32 here, as in torch).
 */
public final class AdamW implements Optimizer {
  private final double beta1, beta2, eps, weightDecay;
  private final LinkedHashMap<String, INDArray> state = new LinkedHashMap<>();
  private long steps;

  public AdamW(double beta1, double beta2, double eps, double weightDecay) {
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  /** torch's defaults: betas (0.9, 0.999), eps 1e-8, with the given weight decay. */
  public static AdamW withWeightDecay(double weightDecay) {
    return new AdamW(0.9, 0.999, 1e-8, weightDecay);
  }

  @Override
  public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
    steps++;
    double bc1 = 1 - Math.pow(beta1, steps);
    double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, steps));
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      INDArray g = grads.get(e.getKey());
      if (g == null) continue;
      INDArray p = e.getValue();
      INDArray m = state.computeIfAbsent("exp_avg." + e.getKey(), k -> p.ulike().assign(0));
      INDArray v = state.computeIfAbsent("exp_avg_sq." + e.getKey(), k -> p.ulike().assign(0));
      if (weightDecay != 0) p.muli(1 - lr * weightDecay);
      m.muli(beta1).addi(g.mul(1 - beta1));
      v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
      INDArray denom = Transforms.sqrt(v, true).divi(bc2Sqrt).addi(eps);
      p.subi(m.div(denom).muli(lr / bc1));
    }
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public LinkedHashMap<String, INDArray> state() {
    return state;
  }

  @Override
  public void load(Map<String, INDArray> saved, long savedSteps) {
    state.clear();
    state.putAll(saved);
    steps = savedSteps;
  }
}
