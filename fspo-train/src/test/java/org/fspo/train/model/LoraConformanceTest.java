package org.fspo.train.model;

import static org.fspo.train.model.HfConformanceTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.model.HfConformanceTest.Fixture;
import org.fspo.train.model.HfConformanceTest.Losses;
import org.fspo.train.model.llama.LlamaConfig;
import org.fspo.train.model.llama.LlamaModel;
import org.fspo.train.model.lora.LoraAdapter;
import org.fspo.train.model.lora.LoraAdapters;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The PEFT LoRA fixture (shared/fixtures/hf-archs/lora-llama3, system property fspo.lora.fixture): policy/ is the
 * frozen base, adapter/ a PEFT adapter on it; expected.json holds the adapted policy's logits, log-probs and losses,
 * grads.safetensors the mean DPO loss's gradient for the adapter tensors only, under the adapter file's names.
 * Tolerances are the fixtures': 1e-4 relative for logits, log-probs and losses, 1e-3 per gradient tensor.
 */
class LoraConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Path fixture() {
    Path dir = Path.of(System.getProperty("fspo.lora.fixture", "../../shared/fixtures/hf-archs/lora-llama3"));
    assertTrue(Files.isDirectory(dir.resolve("adapter")),
        dir.toAbsolutePath() + " has no adapter/; set -Dfspo.lora.fixture");
    return dir;
  }

  /**
   * The adapter loads onto a model of its base's shapes: every tensor's name and shape agree with policy/config.json
   * (the shapes do not depend on the base's RoPE scaling), and the gradient file names exactly the adapter's tensors.
   */
  @Test
  void adapterMatchesItsBaseConfig() throws IOException {
    Path dir = fixture();
    ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("policy/config.json").toFile());
    c.remove("rope_scaling"); // for shapes only: no forward pass runs on this model
    LlamaConfig shape = LlamaConfig.fromJson(c);
    LinkedHashMap<String, INDArray> base = SafeTensors.readArrays(dir.resolve("policy/model.safetensors"));
    LlamaModel.shapes(shape).forEach((name, s) -> assertArrayEquals(s, base.get(name).shape(), "base " + name));

    LoraAdapter a = LoraAdapters.read(dir.resolve("adapter"), LlamaModel.init(shape, 0));
    assertEquals(4, a.config().r());
    assertEquals(2.0, a.config().scale()); // lora_alpha 8 / r 4, use_rslora false
    assertEquals(2 * 5, a.layers().size()); // q, v, o, gate, down in each of 2 layers
    Map<String, INDArray> grads = SafeTensors.readArrays(dir.resolve("grads.safetensors"));
    assertEquals(grads.keySet(), a.parameters().keySet());
    grads.forEach((k, g) -> assertArrayEquals(g.shape(), a.parameters().get(k).shape(), k));
  }

  /**
   * The full conformance check. Disabled on the lora branch only because the fixture's base uses Llama 3 RoPE
   * scaling (rope_scaling.rope_type "llama3"), which this branch's LlamaConfig refuses; enable it when that lands.
   */
  @Test
  @Disabled("needs Llama 3 RoPE scaling (branch archs); remove this line once merged")
  void adaptedPolicyMatchesTheFixture() throws IOException {
    for (boolean share : new boolean[] {false, true}) check(fixture(), share);
  }

  private static void check(Path dir, boolean share) throws IOException {
    Fixture f = Fixture.read(dir);
    TransformerLm policy = LoraAdapters.apply(Models.load(dir.resolve("policy")), dir.resolve("adapter"));
    TransformerLm ref = Models.load(dir.resolve("ref"));
    policy.setPrefixSharing(share);
    ref.setPrefixSharing(share);
    String what = dir + " (prefixSharing=" + share + ") ";

    INDArray logits = policy.logits(f.batch());
    List<Double> out = new ArrayList<>(), want = new ArrayList<>();
    JsonNode exp = f.expected().get("logits");
    for (int b = 0; b < f.batch().batchSize(); b++) {
      for (int t = 0; t < f.batch().seqLen(); t++) {
        if (f.batch().attentionMask()[b][t] == 0) continue;
        for (int v = 0; v < policy.vocabSize(); v++) {
          out.add(logits.getDouble(b, t, v));
          want.add(exp.get(b).get(t).get(v).asDouble());
        }
      }
    }
    assertClose(what + "logits", out.stream().mapToDouble(d -> d).toArray(),
        want.stream().mapToDouble(d -> d).toArray(), 1e-4);

    CausalLm.Forward pf = policy.forward(f.batch());
    CausalLm.Forward rf = ref.forward(f.batch());
    assertClose(what + "policy_seq_logps", pf.seqLogps(), f.doubles("policy_seq_logps"), 1e-4);
    assertClose(what + "ref_seq_logps", rf.seqLogps(), f.doubles("ref_seq_logps"), 1e-4);
    Losses l = Losses.of(pf.seqLogps(), rf.seqLogps(), pf.responseTokens(), f.pairs(), f.beta());
    assertClose(what + "dpo_loss_mean", new double[] {l.dpo()}, f.doubles("dpo_loss_mean"), 1e-4);
    assertClose(what + "ipo_loss_sum_logps_mean", new double[] {l.ipoSum()}, f.doubles("ipo_loss_sum_logps_mean"),
        1e-4);
    assertClose(what + "reward_chosen", l.rewardChosen(), f.doubles("reward_chosen"), 1e-4);

    Map<String, INDArray> base = new LinkedHashMap<>();
    policy.weights().forEach((k, v) -> base.put(k, v.dup()));
    Map<String, INDArray> grads = policy.backward(pf, l.dDpoDSeqLogp());
    Map<String, INDArray> expected = SafeTensors.readArrays(dir.resolve("grads.safetensors"));
    assertEquals(expected.keySet(), grads.keySet(), what + "gradient tensor names: the adapter's only");
    List<String> bad = new ArrayList<>();
    for (Map.Entry<String, INDArray> e : expected.entrySet()) {
      INDArray g = grads.get(e.getKey());
      double rel = g.sub(e.getValue()).norm2Number().doubleValue() / e.getValue().norm2Number().doubleValue();
      if (!(rel <= 1e-3)) bad.add(e.getKey() + " rel " + rel);
    }
    if (!bad.isEmpty()) fail(what + "gradients off:\n  " + String.join("\n  ", bad));
    base.forEach((k, v) -> assertEquals(v, policy.weights().get(k), "base tensor " + k + " changed"));

    // the check can fail: with layer 0's down_proj lora_B moved by 0.1 the log-probs leave the tolerance
    policy.parameters().get("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight").addi(0.1);
    double[] moved = policy.forward(f.batch()).seqLogps(), ok = f.doubles("policy_seq_logps");
    double num = 0, den = 0;
    for (int b = 0; b < moved.length; b++) {
      num += Math.pow(moved[b] - ok[b], 2);
      den += Math.pow(ok[b], 2);
    }
    assertTrue(Math.sqrt(num / den) > 1e-4, what + "a perturbed adapter should be out of tolerance");
  }
}
