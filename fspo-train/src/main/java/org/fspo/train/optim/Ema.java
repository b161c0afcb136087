package org.fspo.train.optim;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An exponential moving average of the weights (Polyak averaging, as torch.optim.swa_utils.AveragedModel with
 * get_ema_multi_avg_fn does it) kept next to another optimizer: after each of its steps,
 * {@code ema = decay ema + (1 - decay) p}, starting from the weights after the first step. The averages are buffers
 * {@code ema.<parameter name>} of {@link #state()}, so a checkpoint saves them and a resumed run continues bit for bit;
 * {@link #copyInto} puts them into the model at the end of a stage.
 */
public final class Ema implements Optimizer {
  private static final String PREFIX = "ema.";
  private final Optimizer inner;
  private final double decay;
  private final LinkedHashMap<String, INDArray> averages = new LinkedHashMap<>();

  public Ema(Optimizer inner, double decay) {
    if (!(decay > 0 && decay < 1)) throw new IllegalArgumentException("EMA decay must lie in (0, 1): " + decay);
    this.inner = inner;
    this.decay = decay;
  }

  @Override
  public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
    inner.step(params, grads, lr);
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      if (!grads.containsKey(e.getKey())) continue; // frozen (a LoRA base): nothing to average
      INDArray p = e.getValue(), avg = averages.get(PREFIX + e.getKey());
      if (avg == null) averages.put(PREFIX + e.getKey(), p.dup('c'));
      else average(avg, p);
    }
  }

  /** avg = decay avg + (1 - decay) p, in float32 element by element on plain buffers (as the optimizers' loops). */
  private void average(INDArray avg, INDArray p) {
    if (FloatLoops.plain(avg, p)) {
      FloatBuffer a = avg.data().asNioFloat(), w = p.data().asNioFloat();
      float d = (float) decay, rest = (float) (1 - decay);
      FloatLoops.ranges((int) p.length(), (from, to) -> {
        for (int i = from; i < to; i++) a.put(i, d * a.get(i) + rest * w.get(i));
      });
      return;
    }
    INDArray scaled = p.mul(1 - decay);
    avg.muli(decay).addi(scaled);
    scaled.close();
  }

  /** Overwrites each averaged parameter with its average. */
  public void copyInto(Map<String, INDArray> params) {
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      INDArray avg = averages.get(PREFIX + e.getKey());
      if (avg != null) e.getValue().assign(avg);
    }
  }

  @Override
  public long steps() {
    return inner.steps();
  }

  @Override
  public LinkedHashMap<String, INDArray> state() {
    LinkedHashMap<String, INDArray> all = new LinkedHashMap<>(inner.state());
    all.putAll(averages);
    return all;
  }

  @Override
  public void load(Map<String, INDArray> saved, long steps) {
    Map<String, INDArray> own = new LinkedHashMap<>();
    averages.clear();
    for (Map.Entry<String, INDArray> e : saved.entrySet()) {
      if (e.getKey().startsWith(PREFIX)) averages.put(e.getKey(), e.getValue());
      else own.put(e.getKey(), e.getValue());
    }
    inner.load(own, steps);
  }
}
