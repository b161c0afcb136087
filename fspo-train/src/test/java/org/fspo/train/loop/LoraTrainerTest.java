package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.train.checkpoint.Checkpoints;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.loss.MetricNames;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Models;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.lora.LoraAdapters;
import org.fspo.train.model.lora.PeftFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SFT then FSPO with train.lora on a tiny model: stage 1's adapter merged into sft/, stage 2's adapter on it with the
 * adapter-off model as reference; checkpoints of the adapter only; exact resume; final/ and fspo export as PEFT and
 * merged folders.
 */
class LoraTrainerTest {
  static final TokenBatch BATCH = new TokenBatch(new int[][] {{5, 6, 7, 8, 9}, {5, 6, 7, 10, 11}},
      new int[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}}, new int[][] {{0, 0, 1, 1, 1}, {0, 0, 1, 1, 1}});

  static TrainConfig config(String family, String... sets) {
    List<String> all = new java.util.ArrayList<>(List.of("lora.enabled=true", "lora.rank=4", "lora.alpha=8",
        "fspo.lr=1e-2", "sft.lr=1e-2", "fspo.steps=8"));
    all.addAll(List.of(sets));
    return TinyRuns.config(family, "ipo", all.toArray(String[]::new));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void loraFspoThroughTrainJob(String family, @TempDir Path tmp) throws Exception {
    TrainConfig c = config(family, "checkpoint.keep_last=5");
    Path run = tmp.resolve("run");
    assertTrue(TrainJob.run(c, TinyRuns.pairs(), run, null, TrainerTest.quiet(false, (s, n) -> false),
        new PrintWriter(Writer.nullWriter())).completed());
    List<JsonNode> fspo = TrainerTest.rows(run, "fspo");
    assertEquals(8, fspo.size());
    double first = fspo.get(0).get(MetricNames.LOSS).asDouble();
    double last = fspo.get(7).get(MetricNames.LOSS).asDouble();
    assertTrue(last < 0.9 * first, "IPO loss falls: " + first + " -> " + last);
    assertEquals(0.0, fspo.get(0).get(MetricNames.REWARDS_MARGINS).asDouble(), "B = 0: stage 2 starts at its ref");

    // checkpoints hold the adapter and its optimizer state only; the stage-1 one, merged into init/, is sft/
    List<Path> ckpts = new Checkpoints(run.resolve("checkpoints")).list();
    assertEquals("1-sft-step-000002", ckpts.get(0).getFileName().toString());
    for (Path ck : ckpts) {
      assertFalse(Files.exists(ck.resolve("model.safetensors")), ck + ": no copy of the frozen base");
      for (String key : SafeTensors.readArrays(ck.resolve(Checkpoints.OPTIMIZER)).keySet()) {
        assertTrue(key.matches("exp_avg(_sq)?\\.base_model\\.model\\..*\\.lora_[AB]\\.weight"), key);
      }
    }
    TransformerLm init = Models.load(run.resolve("init"));
    Map<String, INDArray> initW = SafeTensors.readArrays(run.resolve("init/model.safetensors")); // merge is in place
    Map<String, INDArray> sft = SafeTensors.readArrays(run.resolve("sft/model.safetensors"));
    Map<String, INDArray> merged = LoraAdapters.merge(LoraAdapters.apply(init, ckpts.get(0))).weights();
    int changed = 0;
    for (String name : sft.keySet()) {
      assertEquals(merged.get(name), sft.get(name), "sft/ = init/ + stage-1 adapter, bit for bit: " + name);
      if (!sft.get(name).equals(initW.get(name))) changed++;
    }
    assertTrue(changed > 0, "stage 1 trained its adapter");

    // final/ is a PEFT folder on sft/; the run's policy reloads as sft/ + adapter
    JsonNode cfg = TrainerTest.JSON.readTree(run.resolve("final").resolve(PeftFiles.CONFIG).toFile());
    assertEquals("LORA", cfg.get("peft_type").asText());
    assertEquals(4, cfg.get("r").asInt());
    assertEquals(run.resolve("sft").toAbsolutePath().normalize().toString(),
        cfg.get("base_model_name_or_path").asText());
    assertFalse(Files.exists(run.resolve("final/model.safetensors")));
    INDArray policyLogits;
    try (TrainedRun tr = TrainedRun.open(run)) {
      policyLogits = tr.policy().logits(BATCH);
      assertNotEquals(tr.reference().logits(BATCH), policyLogits, "stage 2 moved the policy off its reference");
    }

    // fspo export: base + PEFT adapter reloads to the same logits; --merge equals base + s B A
    Path peft = tmp.resolve("peft"), full = tmp.resolve("merged");
    RunExport.export(run, false, peft);
    TransformerLm reloaded = LoraAdapters.apply(Models.load(peft.resolve(RunExport.BASE)),
        peft.resolve(RunExport.ADAPTER));
    assertEquals(policyLogits, reloaded.logits(BATCH), "PEFT export reloads to the same logits");
    RunExport.export(run, true, full);
    TransformerLm mergedModel = Models.load(full);
    assertTrue(rel(mergedModel.logits(BATCH), policyLogits) < 1e-5, "merged export's logits");
    assertMergedIsBasePlusAdapter(mergedModel, Models.load(run.resolve("sft")), run.resolve("final"), c);
    assertTrue(Files.isRegularFile(full.resolve("tokenizer.json")));
    FspoUserException e = assertThrows(FspoUserException.class, () -> RunExport.export(run, true, full));
    assertEquals(FspoUserException.CANT_CREATE, e.exitCode());
    assertTrue(e.getMessage().contains("already holds files"), e.getMessage());
  }

  /** W' = W + (alpha / r) B A per adapted weight (transposed for Conv1D), computed here from the files. */
  static void assertMergedIsBasePlusAdapter(TransformerLm merged, TransformerLm base, Path adapterDir, TrainConfig c) {
    Map<String, INDArray> ad = SafeTensors.readArrays(adapterDir.resolve(PeftFiles.WEIGHTS));
    double s = c.lora().alpha() / c.lora().rank();
    int checked = 0;
    for (Map.Entry<String, INDArray> w : base.weights().entrySet()) {
      String module = w.getKey().replaceFirst("\\.weight$", "");
      INDArray a = ad.get("base_model.model." + module + ".lora_A.weight");
      INDArray got = merged.weights().get(w.getKey());
      if (a == null) {
        assertEquals(w.getValue(), got, "not adapted, unchanged: " + w.getKey());
        continue;
      }
      INDArray ba = ad.get("base_model.model." + module + ".lora_B.weight").mmul(a).muli(s); // [out, in]
      INDArray want = w.getValue().add(base.family().equals("gpt2") ? ba.transpose() : ba);
      assertTrue(rel(got, want) < 1e-6, w.getKey() + " merged vs W + s B A: " + rel(got, want));
      checked++;
    }
    assertTrue(checked > 0, "some weight is adapted");
  }

  /**
   * Exact resume; with lora.dropout (masks keyed by seed, stage and step) too, the resumed part then also switching
   * activation recomputation on (allowed on resume: bit-identical gradients).
   */
  @ParameterizedTest
  @CsvSource({"sft, 2, 0", "fspo, 3, 0", "fspo, 3, 0.3"})
  void loraResumeEqualsAnUninterruptedRun(String stage, long stopStep, double dropout, @TempDir Path tmp)
      throws Exception {
    TrainConfig c = config("llama", "sft.steps=3", "fspo.steps=5", "checkpoint.every_steps=1",
        "optim.grad_accum=2", "optim.batch_pairs=2", "lora.dropout=" + dropout);
    TrainConfig resumed = dropout == 0 ? c : config("llama", "sft.steps=3", "fspo.steps=5",
        "checkpoint.every_steps=1", "optim.grad_accum=2", "optim.batch_pairs=2", "lora.dropout=" + dropout,
        "activation_checkpointing=true");
    Path whole = tmp.resolve("whole"), parts = tmp.resolve("parts");
    CausalLm model = TrainerTest.fresh(c);
    TrainerTest.train(c, whole, TrainerTest.quiet(false, (s, n) -> false), model);
    // stage 2 never wrote the frozen base: the model's own tensors are sft/'s, bit for bit
    Map<String, INDArray> sft = SafeTensors.readArrays(whole.resolve("sft/model.safetensors"));
    ((TransformerLm) model).weights().forEach((k, v) -> assertEquals(sft.get(k), v, "base tensor " + k));

    Trainer.Result stopped = TrainerTest.train(c, parts,
        TrainerTest.quiet(false, (s, n) -> s.equals(stage) && n == stopStep), TrainerTest.fresh(c));
    assertFalse(stopped.completed());
    CausalLm different = TrainerTest.fresh(TinyRuns.config("llama", "ipo", "seed=99"));
    assertTrue(TrainerTest.train(resumed, parts, TrainerTest.quiet(true, (s, n) -> false), different).completed());
    for (String f : List.of("sft/model.safetensors", "final/" + PeftFiles.WEIGHTS)) {
      Map<String, INDArray> a = SafeTensors.readArrays(whole.resolve(f)), b = SafeTensors.readArrays(parts.resolve(f));
      assertEquals(a.keySet(), b.keySet());
      a.forEach((k, v) -> assertEquals(v, b.get(k), f + ": " + k + " differs after resume"));
    }
    List<String> rowsA = Files.readAllLines(whole.resolve("metrics.jsonl"));
    List<String> rowsB = Files.readAllLines(parts.resolve("metrics.jsonl"));
    assertEquals(rowsA.size(), rowsB.size(), "each step logged once");
    for (int i = 0; i < rowsA.size(); i++) {
      JsonNode x = TrainerTest.JSON.readTree(rowsA.get(i)), y = TrainerTest.JSON.readTree(rowsB.get(i));
      ((com.fasterxml.jackson.databind.node.ObjectNode) x).remove(MetricNames.TOKENS_PER_SECOND);
      ((com.fasterxml.jackson.databind.node.ObjectNode) y).remove(MetricNames.TOKENS_PER_SECOND);
      assertEquals(x, y, "metrics row " + i);
    }
  }

  /** lora.dropout changes the training losses (from the step after B leaves 0), and final/ records lora_dropout. */
  @Test
  void loraDropoutChangesTrainingButIsRecorded(@TempDir Path tmp) throws Exception {
    List<Double> losses0 = new java.util.ArrayList<>(), losses3 = new java.util.ArrayList<>();
    for (double p : new double[] {0, 0.3}) {
      TrainConfig c = config("gpt2", "sft.steps=2", "fspo.steps=3", "lora.dropout=" + p);
      Path run = tmp.resolve("run" + p);
      assertTrue(TrainerTest.train(c, run, TrainerTest.quiet(false, (s, n) -> false), TrainerTest.fresh(c))
          .completed());
      for (String stage : List.of("sft", "fspo")) {
        for (JsonNode r : TrainerTest.rows(run, stage)) (p == 0 ? losses0 : losses3).add(r.get(MetricNames.LOSS).asDouble());
      }
      JsonNode cfg = TrainerTest.JSON.readTree(run.resolve("final").resolve(PeftFiles.CONFIG).toFile());
      assertEquals(p, cfg.get("lora_dropout").asDouble());
    }
    assertEquals(losses0.get(0), losses3.get(0), "step 1: B = 0, so the dropped adapter adds nothing either way");
    assertNotEquals(losses0, losses3, "dropout changes the training losses");
  }

  static double rel(INDArray out, INDArray ref) {
    return out.sub(ref).norm2Number().doubleValue() / Math.max(1e-30, ref.norm2Number().doubleValue());
  }
}
