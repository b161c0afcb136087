package org.fspo.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The weight average against hand computation, its checkpointed state, and a frozen parameter left alone. */
class EmaTest {
  /** Plain SGD (p = p - lr g), so every weight along the way is known by hand. */
  static final class Sgd extends BufferedOptimizer {
    @Override
    protected void update(String name, INDArray p, INDArray g, double lr, long t) {
      p.subi(g.mul(lr));
    }
  }

  static LinkedHashMap<String, INDArray> params() {
    LinkedHashMap<String, INDArray> p = new LinkedHashMap<>();
    p.put("w", Nd4j.createFromArray(1.0f, -2.0f));
    p.put("frozen", Nd4j.createFromArray(5.0f));
    return p;
  }

  @Test
  void averagesTheWeightsAfterEachStepByHand() {
    // w after steps 1, 2, 3 with g = [1, -1], lr 0.1: [0.9, -1.9], [0.8, -1.8], [0.7, -1.7]
    // ema (decay 0.75): starts at step 1's weights, then 0.75 ema + 0.25 w: [0.875, -1.875], then [0.83125, -1.83125]
    LinkedHashMap<String, INDArray> p = params();
    Ema ema = new Ema(new Sgd(), 0.75);
    for (int i = 0; i < 3; i++) ema.step(p, Map.of("w", Nd4j.createFromArray(1.0f, -1.0f)), 0.1);
    assertArrayEquals(new float[] {0.7f, -1.7f}, p.get("w").toFloatVector(), 1e-6f); // the weights train as before
    assertEquals(3, ema.steps());
    assertArrayEquals(new float[] {0.83125f, -1.83125f}, ema.state().get("ema.w").toFloatVector(), 1e-6f);
    ema.copyInto(p);
    assertArrayEquals(new float[] {0.83125f, -1.83125f}, p.get("w").toFloatVector(), 1e-6f);
    assertArrayEquals(new float[] {5.0f}, p.get("frozen").toFloatVector()); // no gradient: not averaged, untouched
    assertEquals(null, ema.state().get("ema.frozen"));
  }

  @Test
  void aRestoredStateContinuesExactly() {
    LinkedHashMap<String, INDArray> a = params(), b = params();
    Ema whole = new Ema(AdamW.withWeightDecay(0.01), 0.9);
    Ema first = new Ema(AdamW.withWeightDecay(0.01), 0.9);
    float[][] grads = {{0.5f, -1f}, {0.2f, 0.3f}, {-0.7f, 0.1f}, {0.4f, 0.4f}};
    for (int i = 0; i < 2; i++) {
      whole.step(a, Map.of("w", Nd4j.createFromArray(grads[i])), 0.1);
      first.step(b, Map.of("w", Nd4j.createFromArray(grads[i])), 0.1);
    }
    LinkedHashMap<String, INDArray> saved = new LinkedHashMap<>();
    first.state().forEach((k, v) -> saved.put(k, v.dup()));
    Ema resumed = new Ema(AdamW.withWeightDecay(0.01), 0.9);
    resumed.load(saved, first.steps());
    for (int i = 2; i < 4; i++) {
      whole.step(a, Map.of("w", Nd4j.createFromArray(grads[i])), 0.1);
      resumed.step(b, Map.of("w", Nd4j.createFromArray(grads[i])), 0.1);
    }
    assertArrayEquals(a.get("w").toFloatVector(), b.get("w").toFloatVector());
    assertEquals(whole.state().keySet(), resumed.state().keySet());
    for (String k : whole.state().keySet()) {
      assertArrayEquals(whole.state().get(k).toFloatVector(), resumed.state().get(k).toFloatVector(), k);
    }
  }

  @Test
  void refusesADecayOutsideTheOpenUnitInterval() {
    assertThrows(IllegalArgumentException.class, () -> new Ema(new Sgd(), 1.0));
    assertThrows(IllegalArgumentException.class, () -> new Ema(new Sgd(), 0.0));
  }
}
