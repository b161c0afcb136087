package org.fspo.train.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What AdamW and RMSprop share: per-parameter buffers keyed {@code <buffer>.<parameter name>}, created as zeros on
 * first use, and the step count; a subclass supplies the per-parameter update.
 */
abstract class BufferedOptimizer implements Optimizer {
  private final LinkedHashMap<String, INDArray> state = new LinkedHashMap<>();
  private long steps;

  /** Updates parameter {@code p} in place from gradient {@code g} at step {@code t} (1-based). */
  protected abstract void update(String name, INDArray p, INDArray g, double lr, long t);

  /** The named buffer of a parameter, zeros of its shape and type the first time. */
  protected INDArray buffer(String buffer, String name, INDArray like) {
    return state.computeIfAbsent(buffer + "." + name, k -> like.ulike().assign(0));
  }

  /** Frees temporaries (nulls skipped). */
  protected static void closeAll(INDArray... arrays) {
    for (INDArray a : arrays) if (a != null) a.close();
  }

  @Override
  public final void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
    steps++;
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      INDArray g = grads.get(e.getKey());
      if (g != null) update(e.getKey(), e.getValue(), g, lr, steps);
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
