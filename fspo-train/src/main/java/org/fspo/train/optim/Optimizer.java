package org.fspo.train.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Updates parameters in place from their gradients, as the matching torch.optim class does. The state (moment
 * buffers keyed by {@code <buffer>.<parameter name>}, and the step count) is what a checkpoint saves, so that a
 * resumed run continues bit for bit.
 */
public interface Optimizer {
  /** One update of every parameter that has a gradient, at learning rate {@code lr}. */
  void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr);

  /** Steps taken so far. */
  long steps();

  /** The buffers, keyed {@code <buffer>.<parameter name>}; live arrays, copy before mutating elsewhere. */
  LinkedHashMap<String, INDArray> state();

  /** Restores buffers and step count saved from {@link #state()} and {@link #steps()}. */
  void load(Map<String, INDArray> state, long steps);
}
