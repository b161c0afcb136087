package org.fspo.train.model.lora;

import org.fspo.train.model.Ops;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The LoRA part of one projection (PEFT's lora.Linear forward; Hu et al. 2021, Eq. 3): for input x [N, in] the
 * projection's output y [N, out] gains {@code s * (x A^T) B^T}, A [r, in], B [out, r], s the config's scale. The
 * base weight is not touched; the gradients are
 *
 * <pre>
 *   u  = x A^T               [N, r]   (recomputed in backward rather than kept: N*r floats per site saved)
 *   dB = s * dy^T u          [out, r]
 *   t  = dy B                [N, r]
 *   dA = s * t^T x           [r, in]
 *   dx += s * t A            [N, in]
 * </pre>
 *
 * GPT-2's Conv1D (weight [in, out]) uses the same A and B shapes; only {@link #mergeInto} transposes the product.
 *
 * @param a     lora_A.weight [r, in]
 * @param b     lora_B.weight [out, r]
 * @param scale s
 */
public record LoraLinear(INDArray a, INDArray b, double scale) {
  public LoraLinear {
    if (a.rank() != 2 || b.rank() != 2 || a.size(0) != b.size(1)) {
      throw new IllegalArgumentException("LoRA A [r, in] and B [out, r] do not fit: " + a.shapeInfoToString()
          + " and " + b.shapeInfoToString());
    }
  }

  public long rank() {
    return a.size(0);
  }

  /** y += s * (x A^T) B^T, in place; returns y. */
  public INDArray forward(INDArray x, INDArray y) {
    INDArray u = Ops.mm(x, a, false, true); // [N, r]
    addProduct(y, u, b, true); // y += s u B^T [N, out]
    Ops.close(u);
    return y;
  }

  /** dx += s * (dy B) A; returns {dA [r, in], dB [out, r]}. */
  public INDArray[] backward(INDArray x, INDArray dy, INDArray dx) {
    INDArray u = Ops.mm(x, a, false, true); // [N, r]
    // s folded into the gemm (alpha): a separate scalar op on these small arrays costs more than the product here
    INDArray dB = Nd4j.gemm(dy, u, Nd4j.createUninitialized(dy.dataType(), dy.size(1), rank()), true, false, scale, 0);
    INDArray t = Ops.mm(dy, b, false, false); // [N, r]
    INDArray dA = Nd4j.gemm(t, x, Nd4j.createUninitialized(x.dataType(), rank(), x.size(1)), true, false, scale, 0);
    addProduct(dx, t, a, false); // dx += s t A [N, in]
    Ops.close(u, t);
    return new INDArray[] {dA, dB};
  }

  /** PEFT's training forward with lora_dropout p: y += s * (dropout(x) A^T) B^T, the mask drawn from key. */
  public INDArray forward(INDArray x, INDArray y, double p, long key) {
    INDArray xd = LoraDropout.apply(x, p, key); // [N, in]
    forward(xd, y);
    Ops.close(xd);
    return y;
  }

  /**
   * The backward pass of {@link #forward(INDArray, INDArray, double, long)} with the same key: the gradients above at
   * x' = dropout(x), and dx += dropout(s * (dy B) A) (dropout's Jacobian is its own mask / (1 - p)).
   */
  public INDArray[] backward(INDArray x, INDArray dy, INDArray dx, double p, long key) {
    INDArray xd = LoraDropout.apply(x, p, key); // [N, in]
    INDArray dxd = Nd4j.zeros(dx.dataType(), dx.shape()); // dLoss/dx' [N, in]
    INDArray[] g = backward(xd, dy, dxd);
    LoraDropout.applyInPlace(dxd, p, key);
    dx.addi(dxd);
    Ops.close(xd, dxd);
    return g;
  }

  /**
   * c += s * p @ op(q) in one gemm (beta 1): no [N, out] temporary, which inside the forward pass's workspace would
   * live until the next step. Falls back to a temporary when c is a view.
   */
  private void addProduct(INDArray c, INDArray p, INDArray q, boolean transQ) {
    if (c.elementWiseStride() == 1 && c.ordering() == 'c' && !c.isView()) {
      Nd4j.gemm(p, q, c, false, transQ, scale, 1.0);
    } else {
      INDArray d = Ops.mm(p, q, false, transQ);
      c.addi(d.muli(scale));
      Ops.close(d);
    }
  }

  /** s * B A [out, in]: what merging adds to a Linear weight. */
  public INDArray delta() {
    return Ops.mm(b, a, false, false).muli(scale);
  }

  /** w += s * B A (Linear, w [out, in]) or w += s * (B A)^T (Conv1D, w [in, out]), in place. */
  public void mergeInto(INDArray w, boolean conv1d) {
    INDArray d = delta();
    w.addi(conv1d ? d.transpose() : d);
    Ops.close(d);
  }
}
