package org.fspo.train.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradient bookkeeping between backward passes and the optimizer: accumulation over micro-batches, the global L2
 * norm, clipping as torch.nn.utils.clip_grad_norm_, and the finiteness check that stops a run before a bad update.
 */
public final class Gradients {
  private final LinkedHashMap<String, INDArray> sum = new LinkedHashMap<>();

  /** Adds one micro-batch's gradients (already scaled to the whole optimizer step); takes ownership of new names. */
  public void add(Map<String, INDArray> grads) {
    for (Map.Entry<String, INDArray> e : grads.entrySet()) {
      INDArray old = sum.get(e.getKey());
      if (old == null) sum.put(e.getKey(), e.getValue());
      else old.addi(e.getValue());
    }
  }

  public boolean isEmpty() {
    return sum.isEmpty();
  }

  /** The accumulated gradients; the accumulator is empty afterwards. */
  public LinkedHashMap<String, INDArray> take() {
    LinkedHashMap<String, INDArray> out = new LinkedHashMap<>(sum);
    sum.clear();
    return out;
  }

  /** sqrt(sum of squares over every tensor), in double; NaN or infinite when any element is. */
  public static double globalNorm(Map<String, INDArray> grads) {
    double sq = 0;
    for (INDArray g : grads.values()) {
      if (FloatLoops.plain(g)) {
        sq += FloatLoops.sumOfSquares(g); // one loop instead of an ND4J op per tensor (LoRA: hundreds of tensors)
      } else {
        double n = g.norm2Number().doubleValue();
        sq += n * n;
      }
    }
    return Math.sqrt(sq);
  }

  /**
   * Scales every gradient by min(1, maxNorm / (norm + 1e-6)) (torch's clip_grad_norm_); maxNorm &lt;= 0 turns clipping
   * off. Returns the norm before clipping, as transformers logs it.
   */
  public static double clip(Map<String, INDArray> grads, double maxNorm) {
    double norm = globalNorm(grads);
    if (maxNorm > 0 && Double.isFinite(norm)) {
      double coef = maxNorm / (norm + 1e-6);
      if (coef < 1) {
        for (INDArray g : grads.values()) {
          if (FloatLoops.plain(g)) FloatLoops.scale(g, (float) coef);
          else g.muli(coef);
        }
      }
    }
    return norm;
  }
}
