package org.fspo.train.optim;

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
public final class RmsProp extends BufferedOptimizer {
  private final double alpha, eps, weightDecay;

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
  protected void update(String name, INDArray p, INDArray g, double lr, long t) {
    INDArray s = buffer("square_avg", name, p);
    INDArray decay = weightDecay == 0 ? null : p.mul(weightDecay);
    INDArray grad = decay == null ? g : g.add(decay);
    INDArray squared = grad.mul(grad).muli(1 - alpha);
    s.muli(alpha).addi(squared);
    INDArray avg = Transforms.sqrt(s, true).addi(eps);
    INDArray update = grad.div(avg).muli(lr);
    p.subi(update);
    closeAll(squared, avg, update, decay, decay == null ? null : grad);
  }
}
