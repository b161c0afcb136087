package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.train.checkpoint.Checkpoints;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.loss.MetricNames;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.tokenizer.WordLevelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** SFT then FSPO on a tiny model and episode set: learning, exact resume, NaN stop, run-folder layout. */
class TrainerTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static Trainer.Result train(TrainConfig c, Path out, Trainer.Options o, CausalLm model) {
    try (WordLevelTokenizer tok = TinyRuns.tokenizer()) {
      return new Trainer(c, tok, TinyRuns.sampler(c), out, o).run(model);
    }
  }

  static CausalLm fresh(TrainConfig c) {
    try (WordLevelTokenizer tok = TinyRuns.tokenizer()) {
      return ScratchModel.create(c.model(), tok.vocabSize(), tok.eosId(), c.seed());
    }
  }

  static Trainer.Options quiet(boolean resume, Trainer.StopHook stop) {
    return new Trainer.Options(resume, false, stop);
  }

  static List<JsonNode> rows(Path run, String stage) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      JsonNode n = JSON.readTree(line);
      if (n.get("stage").asText().equals(stage)) out.add(n);
    }
    return out;
  }

  @ParameterizedTest
  @CsvSource({"gpt2, ipo", "llama, ipo", "gpt2, dpo"})
  void lossFallsAndAccuracyRises(String family, String loss, @TempDir Path tmp) throws Exception {
    TrainConfig c = TinyRuns.config(family, loss);
    // through TrainJob, as `fspo train` without --init: word-level tokenizer from the pairs, model from the shape
    assertTrue(TrainJob.run(c, TinyRuns.pairs(), tmp, null, quiet(false, (s, n) -> false),
        new java.io.PrintWriter(java.io.Writer.nullWriter())).completed());
    List<JsonNode> fspo = rows(tmp, "fspo");
    assertEquals(6, fspo.size());
    assertEquals(2, rows(tmp, "sft").size());
    double firstLoss = fspo.get(0).get(MetricNames.LOSS).asDouble();
    double lastLoss = (fspo.get(4).get(MetricNames.LOSS).asDouble() + fspo.get(5).get(MetricNames.LOSS).asDouble()) / 2;
    assertTrue(lastLoss < firstLoss, "loss falls: " + firstLoss + " -> " + lastLoss);
    // at the first step the policy is the reference: rewards are exactly 0, so no pair is strictly ahead
    assertEquals(0.0, fspo.get(0).get(MetricNames.REWARDS_ACCURACIES).asDouble());
    double lastAcc = (fspo.get(4).get(MetricNames.REWARDS_ACCURACIES).asDouble()
        + fspo.get(5).get(MetricNames.REWARDS_ACCURACIES).asDouble()) / 2;
    assertTrue(lastAcc > 0.5, "rewards/accuracies rises to " + lastAcc);
    for (String key : List.of(MetricNames.REWARDS_CHOSEN, MetricNames.REWARDS_REJECTED, MetricNames.REWARDS_MARGINS,
        MetricNames.LOGPS_CHOSEN, MetricNames.LOGPS_REJECTED, MetricNames.GRAD_NORM, MetricNames.LEARNING_RATE,
        MetricNames.TOKENS_PER_SECOND)) {
      assertTrue(fspo.get(5).has(key), "metrics row has " + key);
    }
    if (family.equals("gpt2") && loss.equals("ipo")) assertRunFolderLayout(c, tmp);
  }

  /** The layout RunLayout documents, checkpoint pruning, config round trip, refusal to reuse the folder. */
  void assertRunFolderLayout(TrainConfig c, Path tmp) throws Exception {
    for (String f : List.of("config.yaml", "tokenizer.json", "metrics.jsonl", "sft/model.safetensors",
        "sft/config.json", "sft/tokenizer.json", "init/model.safetensors", "init/tokenizer.json",
        "final/model.safetensors", "final/config.json",
        "final/tokenizer.json")) {
      assertTrue(Files.isRegularFile(tmp.resolve(f)), f);
    }
    List<Path> ckpts = new Checkpoints(tmp.resolve("checkpoints")).list();
    assertEquals(List.of("2-fspo-step-000003", "2-fspo-step-000006"),
        ckpts.stream().map(p -> p.getFileName().toString()).toList(), "keep_last 2");
    for (String f : List.of("model.safetensors", "config.json", "optimizer.safetensors", "trainer_state.json",
        "config.yaml")) {
      assertTrue(Files.isRegularFile(ckpts.get(1).resolve(f)), f);
    }
    assertEquals(c, TrainConfig.load(tmp.resolve("config.yaml"), List.of()), "config.yaml round-trips");
    try (var files = Files.list(tmp.resolve("ref-cache"))) {
      assertEquals(1, files.count(), "one cache file for the one reference");
    }
    // the eval API: the run's policy and reference score episodes; the learnt preference shows in the rewards
    try (TrainedRun run = TrainedRun.open(tmp)) {
      List<org.fspo.core.episode.Episode> eps = TinyRuns.sampler(c).epoch(9).subList(0, 8);
      TrainedRun.Scores s = run.score(eps, 3);
      int ahead = 0;
      for (int i = 0; i < eps.size(); i++) {
        if (s.policyChosen()[i] - s.refChosen()[i] > s.policyRejected()[i] - s.refRejected()[i]) ahead++;
      }
      assertTrue(ahead >= 6, ahead + " of 8 pairs with the chosen reward ahead");
      assertEquals(run.reference().parameters().keySet(), run.base().parameters().keySet());
    }
    // a second run reusing the folder without --resume is refused
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> train(c, tmp, quiet(false, (s, n) -> false), fresh(c)));
    assertTrue(e.getMessage().contains("--resume"), e.getMessage());
  }

  @Test
  void trainJobRefusesUnusableInputs(@TempDir Path tmp) throws Exception {
    TrainConfig c = TinyRuns.config("gpt2", "ipo");
    var log = new java.io.PrintWriter(java.io.Writer.nullWriter());
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> TrainJob.run(c, List.of(), tmp.resolve("a"), null, quiet(false, (s, n) -> false), log));
    assertTrue(e.getMessage().contains("no train pairs"), e.getMessage());
    Path init = Files.createDirectories(tmp.resolve("init"));
    e = assertThrows(FspoUserException.class,
        () -> TrainJob.run(c, TinyRuns.pairs(), tmp.resolve("b"), init, quiet(false, (s, n) -> false), log));
    assertTrue(e.getMessage().contains("no tokenizer.json"), e.getMessage());
  }

  static LinkedHashMap<String, INDArray> weights(Path run) {
    return SafeTensors.readArrays(run.resolve("final/model.safetensors"));
  }

  @ParameterizedTest
  @CsvSource({"sft, 2", "fspo, 3"})
  void resumeEqualsAnUninterruptedRun(String stage, long stopStep, @TempDir Path tmp) throws Exception {
    TrainConfig c = TinyRuns.config("gpt2", "ipo", "fspo.steps=4", "checkpoint.every_steps=2", "optim.grad_accum=2",
        "optim.batch_pairs=2");
    Path whole = tmp.resolve("whole"), parts = tmp.resolve("parts");
    train(c, whole, quiet(false, (s, n) -> false), fresh(c));
    Trainer.Result stopped = train(c, parts, quiet(false, (s, n) -> s.equals(stage) && n == stopStep), fresh(c));
    assertFalse(stopped.completed());
    assertFalse(Files.exists(parts.resolve("final")));
    // the resumed process starts from a differently initialised model: the checkpoint must replace it
    TrainConfig other = TinyRuns.config("gpt2", "ipo", "seed=99");
    CausalLm different = fresh(other);
    assertTrue(train(c, parts, quiet(true, (s, n) -> false), different).completed());
    Map<String, INDArray> a = weights(whole), b = weights(parts);
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) {
      double rel = a.get(name).sub(b.get(name)).norm2Number().doubleValue()
          / Math.max(1e-30, a.get(name).norm2Number().doubleValue());
      assertTrue(rel <= 1e-6, name + " differs by " + rel + " relative");
    }
    assertEquals(Files.readAllLines(whole.resolve("metrics.jsonl")).size(),
        Files.readAllLines(parts.resolve("metrics.jsonl")).size(), "each step logged once");
  }

  /** Delegates to a real model but reports NaN log-probs (or an infinite gradient) from the n-th pass on. */
  static final class NanAfter implements CausalLm {
    final CausalLm inner;
    final int nanFrom;
    final boolean inGradient;
    int calls;

    NanAfter(CausalLm inner, int nanFrom, boolean inGradient) {
      this.inner = inner;
      this.nanFrom = nanFrom;
      this.inGradient = inGradient;
    }

    public String family() { return inner.family(); }
    public int vocabSize() { return inner.vocabSize(); }
    public int maxPositions() { return inner.maxPositions(); }
    public LinkedHashMap<String, INDArray> parameters() { return inner.parameters(); }
    public INDArray logits(TokenBatch b) { return inner.logits(b); }
    public void save(Path dir) { inner.save(dir); }
    public Map<String, INDArray> backward(Forward f, double[] d) {
      Map<String, INDArray> g = inner.backward(f, d);
      if (inGradient && calls >= nanFrom) g.values().iterator().next().putScalar(0, Double.POSITIVE_INFINITY);
      return g;
    }

    public Forward forward(TokenBatch batch) {
      Forward f = inner.forward(batch);
      if (++calls < nanFrom || inGradient) return f;
      double[] nan = f.seqLogps().clone();
      nan[0] = Double.NaN;
      return new Forward(nan, f.responseTokens(), f.cache());
    }
  }

  @ParameterizedTest
  @CsvSource({"false, the loss is NaN", "true, the gradient norm is Infinity"})
  void nanStopsTheRunAndKeepsTheLastCheckpoint(boolean inGradient, String what, @TempDir Path tmp) throws Exception {
    TrainConfig c = TinyRuns.config("gpt2", "ipo");
    // 2 SFT steps then fspo steps 1..; the 7th forward is fspo step 5 (one micro-batch per step)
    CausalLm model = new NanAfter(fresh(c), 7, inGradient);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> train(c, tmp, quiet(false, (s, n) -> false), model));
    assertTrue(e.getMessage().startsWith("fspo step 5: " + what), e.getMessage());
    Path last = new Checkpoints(tmp.resolve("checkpoints")).latest();
    assertNotNull(last);
    assertEquals("2-fspo-step-000003", last.getFileName().toString());
    assertTrue(e.getMessage().contains(last.toString()), "names the last good checkpoint");
    assertEquals(3, Checkpoints.readState(last).step());
    assertFalse(Files.exists(tmp.resolve("final")));
    // the weights of that checkpoint are finite, and a resumed run without the fault completes
    for (INDArray w : SafeTensors.readArrays(last.resolve("model.safetensors")).values()) {
      assertFalse(w.isNaN().any() || w.isInfinite().any());
    }
    if (!inGradient) assertTrue(train(c, tmp, quiet(true, (s, n) -> false), fresh(c)).completed());
  }
}
