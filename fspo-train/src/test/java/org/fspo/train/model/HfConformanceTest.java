package org.fspo.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.model.lora.LoraAdapters;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Conformance with Hugging Face transformers on every model folder under every fixture root ({@link FixtureRoots}:
 * system property fspo.hf.fixtures, a comma-separated list; by default shared/fixtures/hf and
 * shared/fixtures/hf-archs). Every folder with policy/ is checked, and must hold ref/, batch.json, expected.json and
 * grads.safetensors: a family or feature this project does not implement fails its folder, it is never skipped.
 * Tolerances are the fixture README's: logits, log-probs and losses within 1e-4 relative (‖out − ref‖/‖ref‖),
 * gradients within 1e-3 relative per tensor. Each check runs with prefix sharing off and on. Folders with adapter/ (a
 * PEFT LoRA adapter on the policy) are a separate factory, {@link #everyAdapterFixtureFolder}: the policy is base +
 * adapter and only the adapter's gradients are compared. Run it on other folders with
 * {@code mvn -pl fspo-train test -Dtest=HfConformanceTest -Dfspo.hf.fixtures=/path/a,/path/b}.
 */
class HfConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The first fixture root (shared/fixtures/hf by default), for tests that use its folders by name. */
  static Path fixtureRoot() {
    return FixtureRoots.first();
  }

  /** Folders with policy/ under a root, sorted; the root must have at least one. */
  static List<Path> modelFolders(Path root) throws IOException {
    assertTrue(Files.isDirectory(root), "fixture root " + root.toAbsolutePath() + " does not exist; set -Dfspo.hf.fixtures");
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      for (Path d : s.sorted().toList()) {
        if (Files.isDirectory(d.resolve("policy"))) out.add(d);
      }
    }
    assertFalse(out.isEmpty(), "no model folder (with policy/) under " + root.toAbsolutePath());
    return out;
  }

  /** Model folders of every root, with adapter/ (true) or without (false). */
  static List<Path> folders(boolean withAdapter) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path root : FixtureRoots.all()) {
      for (Path d : modelFolders(root)) {
        if (Files.isDirectory(d.resolve("adapter")) == withAdapter) out.add(d);
      }
    }
    return out;
  }

  @TestFactory
  Stream<DynamicNode> everyFixtureFolder() throws IOException {
    return containers(folders(false));
  }

  /**
   * Folders with a PEFT adapter (lora-llama3): the policy is the base with the adapter applied
   * ({@link LoraAdapters#apply}), and only the adapter tensors have gradients.
   */
  @TestFactory
  Stream<DynamicNode> everyAdapterFixtureFolder() throws IOException {
    return containers(folders(true));
  }

  /**
   * Each folder with prefix sharing off and on, then (prefix sharing on) with activation recomputation
   * ({@link TransformerLm#setActivationCheckpointing}) and with the LM head forced into chunks of 3 rows (the
   * recomputing path of {@link LogProbHead}): the same fixture values within the same tolerances.
   */
  private static Stream<DynamicNode> containers(List<Path> dirs) {
    return dirs.stream().map(dir -> DynamicContainer.dynamicContainer(
        dir.getParent().getFileName() + "/" + dir.getFileName(), Stream.of(
            DynamicTest.dynamicTest("prefixSharing=false", () -> check(dir, false)),
            DynamicTest.dynamicTest("prefixSharing=true", () -> check(dir, true)),
            DynamicTest.dynamicTest("activationCheckpointing=true", () -> check(dir, true, true, 0)),
            DynamicTest.dynamicTest("headChunkRows=3", () -> check(dir, true, false, 3)))));
  }

  /**
   * The LoRA hook: makes {@code policy} compute base + adapter (PEFT's adapter_config.json and
   * adapter_model.safetensors in adapterDir), the adapter's tensors trainable and named as in the adapter file (the
   * check compares the gradients of names containing ".lora_"). At merge with the LoRA work this body becomes the
   * single call {@code LoraAdapters.apply(policy, adapterDir)}.
   */
  static TransformerLm applyAdapter(TransformerLm policy, Path adapterDir) {
    return LoraAdapters.apply(policy, adapterDir);
  }

  static void check(Path dir, boolean share) throws IOException {
    check(dir, share, false, 0);
  }

  static void check(Path dir, boolean share, boolean recompute, int headChunk) throws IOException {
    Fixture f = Fixture.read(dir);
    TransformerLm policy = Models.load(dir.resolve("policy"));
    boolean adapter = Files.isDirectory(dir.resolve("adapter"));
    if (adapter) policy = applyAdapter(policy, dir.resolve("adapter"));
    TransformerLm ref = Models.load(dir.resolve("ref"));
    policy.setPrefixSharing(share);
    ref.setPrefixSharing(share);
    policy.setActivationCheckpointing(recompute);
    policy.setHeadChunkRows(headChunk);
    ref.setHeadChunkRows(headChunk);

    // logits where attention_mask = 1
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
    assertClose(dir + " logits", unbox(out), unbox(want), 1e-4);

    // per-sequence log-probs, policy and reference
    CausalLm.Forward pf = policy.forward(f.batch());
    CausalLm.Forward rf = ref.forward(f.batch());
    assertClose(dir + " policy_seq_logps", pf.seqLogps(), f.doubles("policy_seq_logps"), 1e-4);
    assertClose(dir + " ref_seq_logps", rf.seqLogps(), f.doubles("ref_seq_logps"), 1e-4);
    double[] tokens = f.doubles("response_tokens");
    for (int b = 0; b < tokens.length; b++) {
      assertTrue(pf.responseTokens()[b] == (int) tokens[b], dir + " response_tokens[" + b + "]");
    }

    // losses from the log-probs, with plain double math
    Losses l = Losses.of(pf.seqLogps(), rf.seqLogps(), pf.responseTokens(), f.pairs(), f.beta());
    assertClose(dir + " dpo_loss_mean", new double[] {l.dpo()}, f.doubles("dpo_loss_mean"), 1e-4);
    assertClose(dir + " ipo_loss_sum_logps_mean", new double[] {l.ipoSum()}, f.doubles("ipo_loss_sum_logps_mean"), 1e-4);
    assertClose(dir + " ipo_loss_mean_logps_mean", new double[] {l.ipoMean()}, f.doubles("ipo_loss_mean_logps_mean"),
        1e-4);
    assertClose(dir + " reward_chosen", l.rewardChosen(), f.doubles("reward_chosen"), 1e-4);
    assertClose(dir + " reward_rejected", l.rewardRejected(), f.doubles("reward_rejected"), 1e-4);

    // gradient of the mean DPO loss w.r.t. every parameter (with an adapter: every adapter tensor, the base frozen)
    Map<String, INDArray> grads = policy.backward(pf, l.dDpoDSeqLogp());
    if (adapter) grads.keySet().removeIf(name -> !name.contains(".lora_"));
    Map<String, INDArray> expected = SafeTensors.readArrays(dir.resolve("grads.safetensors"));
    assertArrayEquals(expected.keySet().stream().sorted().toArray(), grads.keySet().stream().sorted().toArray(),
        dir + ": gradient tensor names");
    List<String> bad = new ArrayList<>();
    double worst = 0;
    for (Map.Entry<String, INDArray> e : expected.entrySet()) {
      INDArray g = grads.get(e.getKey());
      double rel = g.sub(e.getValue()).norm2Number().doubleValue() / e.getValue().norm2Number().doubleValue();
      double maxDiff = g.sub(e.getValue()).amaxNumber().doubleValue();
      worst = Math.max(worst, rel);
      if (!(rel <= 1e-3)) bad.add(e.getKey() + " rel " + rel + " max|diff| " + maxDiff);
    }
    System.out.printf("%s gradients (prefixSharing=%s, recompute=%s, headChunk=%d): worst relative error %.3g over"
        + " %d tensors%n", dir, share, recompute, headChunk, worst, expected.size());
    if (!bad.isEmpty()) fail(dir + " gradients off:\n  " + String.join("\n  ", bad));
  }

  static void assertClose(String what, double[] out, double[] ref, double tol) {
    assertTrue(out.length == ref.length, what + ": length " + out.length + " vs " + ref.length);
    double num = 0, den = 0, maxDiff = 0;
    for (int i = 0; i < out.length; i++) {
      num += (out[i] - ref[i]) * (out[i] - ref[i]);
      den += ref[i] * ref[i];
      maxDiff = Math.max(maxDiff, Math.abs(out[i] - ref[i]));
    }
    double rel = Math.sqrt(num) / Math.sqrt(den);
    System.out.printf("%s: relative error %.3g, max |diff| %.3g%n", what, rel, maxDiff);
    assertTrue(rel <= tol, what + ": relative error " + rel + " > " + tol + ", max |diff| " + maxDiff);
  }

  private static double[] unbox(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** batch.json and expected.json of one folder. */
  record Fixture(TokenBatch batch, int[][] pairs, double beta, JsonNode expected) {
    static Fixture read(Path dir) throws IOException {
      JsonNode b = JSON.readTree(dir.resolve("batch.json").toFile());
      TokenBatch batch = new TokenBatch(ints(b.get("input_ids")), ints(b.get("attention_mask")),
          ints(b.get("response_mask")));
      return new Fixture(batch, ints(b.get("pairs")), b.get("beta").asDouble(),
          JSON.readTree(dir.resolve("expected.json").toFile()));
    }

    double[] doubles(String key) {
      JsonNode n = expected.get(key);
      assertTrue(n != null, "expected.json has no " + key);
      if (!n.isArray()) return new double[] {n.asDouble()};
      double[] d = new double[n.size()];
      for (int i = 0; i < d.length; i++) d[i] = n.get(i).asDouble();
      return d;
    }

    private static int[][] ints(JsonNode n) {
      int[][] a = new int[n.size()][];
      for (int i = 0; i < a.length; i++) {
        a[i] = new int[n.get(i).size()];
        for (int j = 0; j < a[i].length; j++) a[i][j] = n.get(i).get(j).asInt();
      }
      return a;
    }
  }

  /**
   * DPO and IPO from the four log-prob vectors, in doubles (fixture README): h = (pi_c - ref_c) - (pi_r - ref_r);
   * DPO mean of -log sigmoid(beta h); IPO mean of (h - 1/(2 beta))^2, with summed or per-token-mean log-probs.
   */
  record Losses(double dpo, double ipoSum, double ipoMean, double[] rewardChosen, double[] rewardRejected,
      double[] dDpoDSeqLogp) {
    static Losses of(double[] pi, double[] ref, int[] tokens, int[][] pairs, double beta) {
      int P = pairs.length;
      double dpo = 0, ipoSum = 0, ipoMean = 0;
      double[] rc = new double[P], rr = new double[P], d = new double[pi.length];
      for (int i = 0; i < P; i++) {
        int c = pairs[i][0], r = pairs[i][1];
        double h = (pi[c] - ref[c]) - (pi[r] - ref[r]);
        dpo += Math.log1p(Math.exp(-beta * h)) / P; // -log sigmoid(beta h)
        ipoSum += Math.pow(h - 1 / (2 * beta), 2) / P;
        double hm = (pi[c] / tokens[c] - ref[c] / tokens[c]) - (pi[r] / tokens[r] - ref[r] / tokens[r]);
        ipoMean += Math.pow(hm - 1 / (2 * beta), 2) / P;
        rc[i] = beta * (pi[c] - ref[c]);
        rr[i] = beta * (pi[r] - ref[r]);
        double dh = -beta / (1 + Math.exp(beta * h)) / P; // d/dh of -log sigmoid(beta h) = -beta sigmoid(-beta h)
        d[c] += dh;
        d[r] -= dh;
      }
      return new Losses(dpo, ipoSum, ipoMean, rc, rr, d);
    }
  }
}
