package org.fspo.train.optim;

import java.nio.FloatBuffer;
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
 * Buffers m and v are created lazily with the parameter's shape and type (float32 here, as in torch). When p, g, m
 * and v are plain float32 buffers (the trainer's case) the update is one Java loop per tensor in float32, element by
 * element as above: about 12 ND4J ops per tensor, four of them allocating temporaries, cost 23x more on a LoRA
 * adapter's 420 small tensors (scripts/bench/train_scale, TrainScaleOptim); other layouts take the ND4J path.
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
    if (FloatLoops.plain(p, g, m, v)) {
      fused(p.data().asNioFloat(), g.data().asNioFloat(), m.data().asNioFloat(), v.data().asNioFloat(),
          (int) p.length(), lr, bc1, bc2Sqrt);
      return;
    }
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

  /** The update above over float32 buffers of n elements, in place. */
  private void fused(FloatBuffer p, FloatBuffer g, FloatBuffer m, FloatBuffer v, int n, double lr, double bc1,
      double bc2Sqrt) {
    float decay = (float) (1 - lr * weightDecay), b1 = (float) beta1, b2 = (float) beta2;
    float c1 = (float) (1 - beta1), c2 = (float) (1 - beta2), step = (float) (lr / bc1), e = (float) eps;
    float bc2 = (float) bc2Sqrt;
    boolean wd = weightDecay != 0;
    FloatLoops.ranges(n, (from, to) -> { // element-wise: the same result on any number of cores
      for (int i = from; i < to; i++) {
        float gi = g.get(i);
        float mi = b1 * m.get(i) + c1 * gi;
        float vi = b2 * v.get(i) + c2 * (gi * gi);
        m.put(i, mi);
        v.put(i, vi);
        float pi = wd ? p.get(i) * decay : p.get(i);
        p.put(i, pi - step * (mi / ((float) Math.sqrt(vi) / bc2 + e)));
      }
    });
  }
}
