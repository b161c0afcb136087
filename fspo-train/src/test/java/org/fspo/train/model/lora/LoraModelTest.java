package org.fspo.train.model.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Decoder;
import org.fspo.train.model.Models;
import org.fspo.train.model.Ops;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.gpt2.Gpt2Config;
import org.fspo.train.model.llama.LlamaConfig;
import org.fspo.train.model.lora.LoraTargets.Target;
import org.fspo.train.optim.AdamW;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LoRA hooked into both model families, checked against values known without the hooks: the merged model
 * (W + s B A, through the plain forward pass), its weight gradients (dB = s G A^T, dA = s B^T G for G = dL/dW), and
 * finite differences. The adapter is random with B non-zero, so every path contributes.
 */
class LoraModelTest {
  static final TokenBatch BATCH = new TokenBatch(
      new int[][] {{1, 2, 3, 4, 5, 0}, {1, 2, 3, 6, 0, 0}, {7, 8, 9, 10, 11, 12}, {7, 8, 13, 14, 15, 0}},
      new int[][] {{1, 1, 1, 1, 1, 0}, {1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0}},
      new int[][] {{0, 0, 0, 1, 1, 0}, {0, 0, 0, 1, 0, 0}, {0, 0, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 0}});
  static final double[] DLOGP = {0.7, -0.4, -1.1, 0.9}; // dLoss/dSeqLogp: L = sum_b DLOGP[b] * logp[b]

  static TransformerLm tiny(String family) {
    return family.equals("gpt2") ? Models.init(Gpt2Config.of(40, 16, 16, 2, 2), 5)
        : Models.init(LlamaConfig.of(40, 16, 24, 2, 4, 2, 16), 5);
  }

  /** An adapter on every projection with random A and B (B non-zero), rank 3, rsLoRA for llama. */
  static LoraAdapter randomAdapter(TransformerLm model, long seed) {
    boolean llama = model.family().equals("llama");
    LoraAdapter a = LoraAdapters.init(model, LoraConfig.of(3, llama ? 5 : 6, llama, List.of("all-linear")), seed);
    Random rng = new Random(seed);
    a.parameters().values().forEach(p -> p.assign(Ops.normal(rng, 0.3, p.shape())));
    return a;
  }

  static Map<String, INDArray> copy(Map<String, INDArray> m) {
    Map<String, INDArray> c = new LinkedHashMap<>();
    m.forEach((k, v) -> c.put(k, v.dup()));
    return c;
  }

  static double rel(INDArray out, INDArray ref) {
    return out.sub(ref).norm2Number().doubleValue() / ref.norm2Number().doubleValue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void adaptedModelEqualsTheMergedModel(String family) {
    TransformerLm model = tiny(family);
    Map<String, INDArray> base = copy(model.weights());
    INDArray plain = model.logits(BATCH);
    LoraAdapter adapter = randomAdapter(model, 11);
    INDArray adapted = model.logits(BATCH);
    CausalLm.Forward f = model.forward(BATCH); // the training path, with prefix sharing
    model.backward(f, DLOGP);

    TransformerLm merged = tiny(family);
    merged.setAdapter(adapter);
    LoraAdapters.merge(merged);
    assertEquals(null, merged.adapter());
    INDArray want = merged.logits(BATCH);
    assertTrue(rel(adapted, plain) > 1e-2, "the adapter changes the logits: " + rel(adapted, plain));
    assertTrue(rel(adapted, want) < 1e-5, family + " logits vs merged: " + rel(adapted, want));
    double[] wantLogp = merged.forward(BATCH).seqLogps();
    for (int b = 0; b < wantLogp.length; b++) {
      assertEquals(wantLogp[b], f.seqLogps()[b], 1e-4 * Math.abs(wantLogp[b]), "seq " + b);
    }
    base.forEach((k, v) -> assertEquals(v, model.weights().get(k), "base tensor " + k + " changed"));

    // generation (key/value-cached decoding) runs the adapter too
    try (Decoder d = model.decoder(); Decoder m = merged.decoder()) {
      float[] got = d.prefill(BATCH.inputIds()[2]), exp = m.prefill(BATCH.inputIds()[2]);
      float[] got2 = d.step(3), exp2 = m.step(3);
      for (int v = 0; v < got.length; v++) {
        assertEquals(exp[v], got[v], 1e-4, "prefill logit " + v);
        assertEquals(exp2[v], got2[v], 1e-4, "step logit " + v);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void adapterGradientsFollowFromTheMergedWeightGradients(String family) {
    TransformerLm model = tiny(family);
    Map<String, INDArray> base = copy(model.weights());
    LoraAdapter adapter = randomAdapter(model, 12);
    Map<String, INDArray> grads = model.backward(model.forward(BATCH), DLOGP);
    assertEquals(List.copyOf(adapter.parameters().keySet()), List.copyOf(grads.keySet()), "adapter tensors only");
    assertEquals(adapter.parameters().keySet(), model.parameters().keySet());

    TransformerLm merged = tiny(family);
    merged.setAdapter(adapter);
    LoraAdapters.merge(merged);
    Map<String, INDArray> full = merged.backward(merged.forward(BATCH), DLOGP);
    double worst = 0;
    for (Map.Entry<String, LoraLinear> e : adapter.layers().entrySet()) {
      Target t = adapter.targets().get(e.getKey());
      INDArray g = full.get(t.weightName()); // dL/dW': Linear [out, in], Conv1D [in, out]
      if (t.conv1d()) g = g.transpose().dup();
      LoraLinear l = e.getValue();
      INDArray dA = Ops.mm(l.b(), g, true, false).muli(l.scale()); // s B^T G [r, in]
      INDArray dB = Ops.mm(g, l.a(), false, true).muli(l.scale()); // s G A^T [out, r]
      worst = Math.max(worst, Math.max(rel(grads.get(LoraAdapter.nameA(e.getKey())), dA),
          rel(grads.get(LoraAdapter.nameB(e.getKey())), dB)));
    }
    System.out.printf("%s: adapter gradients vs s B^T G, s G A^T: worst relative error %.3g%n", family, worst);
    assertTrue(worst < 1e-4, family + ": worst relative gradient error " + worst);
    base.forEach((k, v) -> assertEquals(v, model.weights().get(k), "base tensor " + k + " changed"));

    // an optimizer step on parameters() moves the adapter and never the base
    Map<String, INDArray> before = copy(model.parameters());
    new AdamW(0.9, 0.999, 1e-8, 0.01).step(model.parameters(), grads, 1e-2);
    before.forEach((k, v) -> assertTrue(rel(model.parameters().get(k), v) > 0, k + " did not move"));
    base.forEach((k, v) -> assertEquals(v, model.weights().get(k), "base tensor " + k + " changed by the step"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void adapterGradientsMatchFiniteDifferences(String family) {
    TransformerLm model = tiny(family);
    LoraAdapter adapter = randomAdapter(model, 13);
    Map<String, INDArray> grads = model.backward(model.forward(BATCH), DLOGP);
    Random rng = new Random(3);
    Map<String, INDArray> dir = new LinkedHashMap<>();
    double analytic = 0;
    for (Map.Entry<String, INDArray> p : adapter.parameters().entrySet()) {
      INDArray d = Ops.normal(rng, 1.0, p.getValue().shape());
      dir.put(p.getKey(), d);
      analytic += grads.get(p.getKey()).mul(d).sumNumber().doubleValue();
    }
    double eps = 3e-4;
    double up = loss(model, adapter, dir, eps), down = loss(model, adapter, dir, -2 * eps);
    double numeric = (up - down) / (2 * eps);
    System.out.printf("%s: directional derivative %.6g, finite difference %.6g%n", family, analytic, numeric);
    assertTrue(Math.abs(numeric - analytic) < 1e-2 * Math.abs(analytic),
        family + ": directional derivative " + analytic + " vs finite difference " + numeric);
  }

  /** Moves the adapter by step * dir (cumulatively) and returns L = sum_b DLOGP[b] logp[b], in doubles. */
  private static double loss(TransformerLm model, LoraAdapter adapter, Map<String, INDArray> dir, double step) {
    adapter.parameters().forEach((k, p) -> p.addi(dir.get(k).mul(step)));
    double[] logp = model.forward(BATCH).seqLogps();
    double l = 0;
    for (int b = 0; b < logp.length; b++) l += DLOGP[b] * logp[b];
    return l;
  }
}
