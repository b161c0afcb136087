package org.fspo.train.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * torch.optim.RMSprop with momentum 0 and centered off (the official FSPO code's optimizer choice):
 *
 * <pre>
 *   g  = g + wd p                     (coupled L2, as torch)
 *   s  = alpha s + (1 - alpha) g^2
 *   p  = p - lr g / (sqrt(s) + eps)
 * </pre>
 */
public final class RmsProp implements Optimizer {
  private final double alpha, eps, weightDecay;
  private final LinkedHashMap<String, INDArray> state = new LinkedHashMap<>();
  private long steps;

  public RmsProp(double alpha, double eps, double weightDecay) {
    this.alpha = alpha;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  /** torch's defaults: alpha 0.99, eps 1e-8, with the given weight decay. */
  public static RmsProp withWeightDecay(double weightDecay) {
    return new RmsProp(0.99, 1e-8, weightDecay);
  }

  @Override
  public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
    steps++;
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      INDArray g = grads.get(e.getKey());
      if (g == null) continue;
      INDArray p = e.getValue();
      INDArray s = state.computeIfAbsent("square_avg." + e.getKey(), k -> p.ulike().assign(0));
      INDArray grad = weightDecay == 0 ? g : g.add(p.mul(weightDecay));
      s.muli(alpha).addi(grad.mul(grad).muli(1 - alpha));
      INDArray avg = Transforms.sqrt(s, true).addi(eps);
      p.subi(grad.div(avg).muli(lr));
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
