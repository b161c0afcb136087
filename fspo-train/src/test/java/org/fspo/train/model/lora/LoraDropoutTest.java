package org.fspo.train.model.lora;

import static org.fspo.train.model.lora.LoraModelTest.BATCH;
import static org.fspo.train.model.lora.LoraModelTest.DLOGP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Ops;
import org.fspo.train.model.TransformerLm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PEFT's lora_dropout, B A dropout(x) * s: only inside a training step ({@link LoraAdapter#trainStep}); the same key
 * gives the same masks; the gradients under a fixed mask match finite differences; recomputation redraws the same
 * masks; and the mask keeps a 1 - p fraction scaled by 1 / (1 - p).
 */
class LoraDropoutTest {
  static LoraAdapter adapter(TransformerLm model, double p) {
    LoraAdapter a = LoraAdapters.init(model, LoraConfig.of(3, 6, false, List.of("all-linear")).withDropout(p), 9);
    Random rng = new Random(9);
    a.parameters().values().forEach(t -> t.assign(Ops.normal(rng, 0.3, t.shape())));
    return a;
  }

  private static double loss(TransformerLm m) {
    double[] lp = m.forward(BATCH).seqLogps();
    double l = 0;
    for (int b = 0; b < lp.length; b++) l += DLOGP[b] * lp[b];
    return l;
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void dropoutActsOnlyInTrainingStepsAndIsKeyed(String family) {
    TransformerLm m = LoraModelTest.tiny(family);
    LoraAdapter a = adapter(m, 0.3);
    INDArray evalLogits = m.logits(BATCH);
    double[] evalLogp = m.forward(BATCH).seqLogps();

    a.trainStep(42);
    double[] train1 = m.forward(BATCH).seqLogps();
    assertFalse(Arrays.equals(evalLogp, train1), "dropout changes the training log-probs");
    assertEquals(evalLogits, m.logits(BATCH), "logits never drop, even inside a step");
    double[] train2 = m.forward(BATCH).seqLogps(); // the step's second pass (next micro-batch): other masks
    assertFalse(Arrays.equals(train1, train2), "each pass of a step draws its own masks");
    a.trainStep(42);
    assertArrayEquals(train1, m.forward(BATCH).seqLogps(), 0.0, "the same key draws the same masks");
    a.trainStep(43);
    assertFalse(Arrays.equals(train1, m.forward(BATCH).seqLogps()), "another step draws other masks");
    a.eval();
    assertArrayEquals(evalLogp, m.forward(BATCH).seqLogps(), 0.0, "eval: no dropout again");

    TransformerLm z = LoraModelTest.tiny(family);
    LoraAdapter a0 = adapter(z, 0.0);
    a0.trainStep(42);
    CausalLm.Forward f0 = z.forward(BATCH);
    assertArrayEquals(evalLogp, f0.seqLogps(), 0.0, "dropout 0 in a training step is the plain adapter");
  }

  /** d loss / d adapter under one step's masks, against central differences with the masks held fixed. */
  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void gradientsUnderDropoutMatchFiniteDifferencesAndRecomputation(String family) {
    TransformerLm m = LoraModelTest.tiny(family);
    LoraAdapter a = adapter(m, 0.4);
    a.trainStep(7);
    Map<String, INDArray> g = LoraModelTest.copy(m.backward(m.forward(BATCH), DLOGP));
    m.setActivationCheckpointing(true);
    a.trainStep(7);
    Map<String, INDArray> again = m.backward(m.forward(BATCH), DLOGP);
    g.forEach((k, v) -> assertEquals(v, again.get(k), "recomputation redraws the same masks: " + k));
    m.setActivationCheckpointing(false);

    int checked = 0;
    for (String name : List.copyOf(g.keySet()).subList(0, 4)) { // layer 0's first two modules' A and B
      INDArray p = a.parameters().get(name), gv = g.get(name);
      long i = gv.ravel().argMax().getLong(0), n = gv.length();
      for (long idx : new long[] {i, (i + n / 2) % n}) {
        double eps = 1e-2, w = p.getDouble(idx);
        p.putScalar(idx, w + eps);
        a.trainStep(7);
        double up = loss(m);
        p.putScalar(idx, w - eps);
        a.trainStep(7);
        double down = loss(m);
        p.putScalar(idx, w);
        double fd = (up - down) / (2 * eps), an = gv.getDouble(idx);
        assertEquals(fd, an, 2e-3 + 2e-2 * Math.abs(an), family + " " + name + "[" + idx + "]: fd " + fd + " vs " + an);
        checked++;
      }
    }
    assertEquals(8, checked);
  }

  @Test
  void maskKeepsOneMinusPScaledAndIsItsOwnGradient() {
    INDArray x = org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 200, 500);
    INDArray d = LoraDropout.apply(x, 0.25, 123);
    long zeros = 0;
    for (float v : d.data().asFloat()) {
      if (v == 0) zeros++;
      else assertEquals(1 / 0.75f, v, 1e-6f);
    }
    assertEquals(0.25, zeros / 100_000.0, 0.005, "fraction dropped"); // 4.3 standard deviations
    assertEquals(d, LoraDropout.apply(x, 0.25, 123), "keyed: the same mask");
    assertNotEquals(d, LoraDropout.apply(x, 0.25, 124));
    assertTrue(LoraDropout.key(1, "model.layers.0.self_attn.q_proj") != LoraDropout.key(1,
        "model.layers.0.self_attn.k_proj"), "modules draw different masks");
  }
}
