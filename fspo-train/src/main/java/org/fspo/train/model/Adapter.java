package org.fspo.train.model;

import java.util.LinkedHashMap;
import java.util.function.BiConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trainable low-rank additions to a model's projections (LoRA, {@code org.fspo.train.model.lora}), called by the
 * model at each projection site through {@link TransformerLm}'s hooks. A module is named by its Hugging Face module
 * path, the weight's name without ".weight" ({@code model.layers.0.self_attn.q_proj}, {@code transformer.h.0.attn.c_attn}).
 * Shapes: N rows, in and out the projection's input and output widths.
 */
public interface Adapter {
  /** The projection's output y [N, out] for input x [N, in], with this adapter's addition for module (in place). */
  INDArray forward(String module, INDArray x, INDArray y);

  /**
   * Back-propagates dy [N, out] through module's addition: adds its part of dLoss/dx into dx [N, in] and hands each
   * adapter tensor's gradient, keyed as in {@link #parameters()}, to grads.
   */
  void backward(String module, INDArray x, INDArray dy, INDArray dx, BiConsumer<String, INDArray> grads);

  /**
   * Called at the start of each training forward pass (not logits or decoding): an adapter with dropout draws this
   * pass's masks here, and uses them again in the matching backward pass (and any recomputation in between).
   */
  default void beginForward() {}

  /** Whether the model is inside a training pass's stack (forward or backward); false for logits and decoding. */
  default void inTrainingPass(boolean on) {}

  /** The adapter's trainable tensors by their file names, in a fixed order; the optimizer updates them in place. */
  LinkedHashMap<String, INDArray> parameters();
}
