package org.fspo.train.model.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.train.loss.PreferenceLoss;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.optim.AdamW;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A few IPO steps with a fresh LoRA adapter on a frozen tiny base, the way stage 2 runs with LoRA: the reference is
 * the same model with the adapter off (no second copy), only the adapter trains and has optimizer state, and the
 * result exports as a PEFT folder and as a merged model.
 */
class LoraTrainingTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void loraIpoLowersTheLossAndLeavesTheBaseBitIdentical(String family) {
    TransformerLm model = LoraModelTest.tiny(family);
    Map<String, INDArray> base = LoraModelTest.copy(model.weights());
    LoraAdapter adapter = LoraAdapters.init(model, LoraConfig.of(4, 8, false, List.of("all-linear")), 7);
    adapter.parameters().values().forEach(p -> p.addi(0.01)); // B != 0, so the reference must really be adapter-off
    double[] ref = LoraAdapters.withoutAdapter(model, () -> model.forward(LoraModelTest.BATCH).seqLogps());
    assertEquals(adapter, model.adapter(), "re-attached");
    adapter.parameters().values().forEach(p -> p.subi(0.01));
    AdamW opt = new AdamW(0.9, 0.999, 1e-8, 0.0);
    double first = 0, last = 0;
    for (int step = 0; step < 15; step++) {
      CausalLm.Forward f = model.forward(LoraModelTest.BATCH);
      double[] pi = f.seqLogps();
      if (step == 0) assertArrayEquals(ref, pi, "B = 0: the fresh adapter starts at the reference");
      PreferenceLoss.Result r = PreferenceLoss.compute(PreferenceLoss.Type.IPO, PreferenceLoss.LogpReduction.SUM, 0.1,
          new double[] {pi[0], pi[2]}, new double[] {pi[1], pi[3]}, new double[] {ref[0], ref[2]},
          new double[] {ref[1], ref[3]}, null, null);
      double[] d = {r.dPolicyChosen()[0] / 2, r.dPolicyRejected()[0] / 2, r.dPolicyChosen()[1] / 2,
          r.dPolicyRejected()[1] / 2}; // mean over the 2 pairs
      opt.step(model.parameters(), model.backward(f, d), 1e-2);
      if (step == 0) first = r.meanLoss();
      last = r.meanLoss();
    }
    assertTrue(last < 0.8 * first, family + ": IPO loss " + first + " -> " + last);
    base.forEach((k, v) -> assertEquals(v, model.weights().get(k), "base tensor " + k + " changed"));
    for (String buffer : opt.state().keySet()) {
      assertTrue(adapter.parameters().keySet().stream().anyMatch(buffer::endsWith), "optimizer buffer " + buffer);
    }
    assertTrue(opt.state().size() >= adapter.parameters().size(), "every adapter tensor has optimizer state");

    // the PEFT folder reloads onto a fresh base to the same logits; merging equals base + adapter
    INDArray logits = model.logits(LoraModelTest.BATCH);
    LoraAdapters.save(model, tmp.resolve(family), null);
    TransformerLm reloaded = LoraAdapters.apply(LoraModelTest.tiny(family), tmp.resolve(family));
    assertEquals(logits, reloaded.logits(LoraModelTest.BATCH));
    INDArray merged = LoraAdapters.merge(reloaded).logits(LoraModelTest.BATCH);
    assertTrue(LoraModelTest.rel(merged, logits) < 1e-5, "merged vs adapted: " + LoraModelTest.rel(merged, logits));
    Map<String, INDArray> after = new LinkedHashMap<>(reloaded.parameters());
    assertEquals(base.keySet(), after.keySet(), "merged: the model's own tensors train again");
  }
}
