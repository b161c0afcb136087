package org.fspo.train.model;

import java.util.LinkedHashMap;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradients of the trainable tensors only (a model with an adapter attached): a frozen weight's gradient is dropped
 * rather than kept; {@link TransformerLm#accumulate} drops it before adding, too.
 */
final class TrainableGrads extends LinkedHashMap<String, INDArray> {
  private final Set<String> trainable;

  TrainableGrads(Set<String> trainable) {
    this.trainable = trainable;
  }

  Set<String> trainable() {
    return trainable;
  }

  @Override
  public INDArray put(String name, INDArray g) {
    return trainable.contains(name) ? super.put(name, g) : null;
  }
}
