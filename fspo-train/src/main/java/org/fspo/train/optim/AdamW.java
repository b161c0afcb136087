package org.fspo.train.optim;

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
public final class AdamW extends BufferedOptimizer {
  private final double beta1, beta2, eps, weightDecay;

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
  protected void update(String name, INDArray p, INDArray g, double lr, long t) {
    double bc1 = 1 - Math.pow(beta1, t);
    double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
    INDArray m = buffer("exp_avg", name, p);
    INDArray v = buffer("exp_avg_sq", name, p);
    if (weightDecay != 0) p.muli(1 - lr * weightDecay);
    INDArray scaled = g.mul(1 - beta1);
    m.muli(beta1).addi(scaled);
    INDArray squared = g.mul(g).muli(1 - beta2);
    v.muli(beta2).addi(squared);
    INDArray denom = Transforms.sqrt(v, true).divi(bc2Sqrt).addi(eps);
    INDArray update = m.div(denom).muli(lr / bc1);
    p.subi(update);
    closeAll(scaled, squared, denom, update); // off-heap temporaries: free now rather than at the next GC
  }
}
