package org.fspo.eval.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.FewShotPrompt;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.core.prompt.RenderedPair;
import org.fspo.eval.metrics.Method;
import org.fspo.eval.scoring.MethodModels;
import org.fspo.eval.scoring.MethodSpec;
import org.fspo.train.loop.PairScorer;
import org.fspo.train.loop.ScratchModel;
import org.fspo.train.loop.TrainConfig;
import org.fspo.train.loop.TrainJob;
import org.fspo.train.loop.TrainedRun;
import org.fspo.train.loop.Trainer;
import org.fspo.train.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pref_ft is the stage-1 model scored against the model training started from. For a run started with --init that
 * base is the --init checkpoint (the run's init/), not a model re-created from train.model and the seed.
 */
class RunMethodsTest {
  @TempDir Path dir;

  private static List<PreferencePair> pairs() {
    String[] topics = {"tea", "rain", "music", "books"};
    List<PreferencePair> out = new ArrayList<>();
    for (int u = 0; u < 3; u++) {
      for (int q = 0; q < topics.length; q++) {
        out.add(new PreferencePair("user" + u, "u" + u + "q" + q, "What about " + topics[q] + "?",
            "warm words about " + topics[q], "cold note on " + topics[q], null, "procedural", "train", null));
      }
    }
    return out;
  }

  private static TrainConfig config() {
    return TrainConfig.load(null, List.of("model.d_model=16", "model.layers=1", "model.heads=2",
        "model.max_seq_len=96", "model.min_response_tokens=2", "data.shots=1", "sft.epochs=0", "sft.steps=2",
        "fspo.epochs=0", "fspo.steps=2", "optim.batch_pairs=4", "optim.warmup_steps=1", "seed=7"));
  }

  private static void train(Path out, Path init) {
    Trainer.Result r = TrainJob.run(config(), pairs(), out, init, new Trainer.Options(false, false, (s, t) -> false),
        new PrintWriter(new StringWriter()));
    assertEquals(true, r.completed());
  }

  @Test
  void prefFtOfAnInitRunIsScoredAgainstTheInitCheckpoint() throws Exception {
    Path first = dir.resolve("first"), second = dir.resolve("second");
    train(first, null);
    Path init = first.resolve("final");
    assertTrue(Files.isRegularFile(init.resolve("tokenizer.json"))); // final/ is an HF folder with its tokenizer
    train(second, init);

    List<RenderedPair> rendered = List.of(FewShotPrompt.render(List.of(pairs().get(0)), pairs().get(1),
        PromptFormat.DEFAULT));
    double[][] expected, scratch;
    try (TrainedRun run = TrainedRun.open(second)) {
      var collator = run.collator(PromptFormat.DEFAULT);
      expected = new PairScorer(Models.load(init), collator, 4).scoreRendered(rendered);
      scratch = new PairScorer(ScratchModel.create(config().model(), run.tokenizer().vocabSize(),
          run.tokenizer().eosId(), config().seed()), collator, 4).scoreRendered(rendered);
    }
    assertFalse(Arrays.equals(expected[0], scratch[0]), "the init checkpoint must differ from a seeded model");
    try (MethodModels models = RunMethods.load(MethodSpec.of(Method.PREF_FT, 0.1, true), second, 4)) {
      assertArrayEquals(expected[0], models.reference().score(rendered)[0], 0.0);
    }
  }

  @Test
  void eachMethodIsProvidedByItsOwnRunOrTheFspoRun() {
    for (Method m : Method.values()) {
      assertEquals(m == Method.PREF_FT ? Method.FSPO : m, m.provider());
    }
    assertEquals(List.of(Method.FSPO, Method.POPULATION),
        new PipelineConfig(List.of("pref_ft", "fspo", "population")).runs());
    assertEquals(Method.FSPO_COT, Method.trainedBy(true, false, 4));
    assertEquals(Method.ORACLE, Method.trainedBy(true, true, 4));
    assertEquals(Method.POPULATION, Method.trainedBy(false, false, 0));
    assertEquals(Method.ORACLE, Method.trainedBy(true, true, 0));
  }

  @Test
  void trainOverridesAreKeptPerRunAndCheckedInOneLine() {
    PipelineConfig c = new PipelineConfig(List.of("fspo", "population"),
        java.util.Map.of("fspo", List.of("train.sft.epochs=8", "train.sft.lr=2.0e-3")));
    assertEquals(List.of("train.sft.epochs=8", "train.sft.lr=2.0e-3"), c.overrides(Method.FSPO));
    assertEquals(List.of(), c.overrides(Method.POPULATION));
    IllegalArgumentException prefFt = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new PipelineConfig(null, java.util.Map.of("pref_ft", List.of("train.sft.epochs=8"))));
    assertEquals("pipeline.train_overrides.pref_ft: pref_ft has no run of its own (it is the fspo run's stage 1); "
        + "put the settings under fspo", prefFt.getMessage());
    IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new PipelineConfig(null, java.util.Map.of("oracle", List.of("sft.epochs=8"))));
    assertEquals("pipeline.train_overrides.oracle: 'sft.epochs=8' is not a train.KEY=VALUE setting (e.g. "
        + "train.sft.epochs=8)", bad.getMessage());
  }

  @Test
  void eachRunTrainsTheMethodItProvidesInThePromptItIsScoredIn() {
    for (Method m : Method.values()) {
      if (m.provider() != m) {
        continue;
      }
      List<String> sets = new ArrayList<>(List.of("data.shots=1-4")); // the shared config, then the method's own
      m.trainingSets().forEach(s -> sets.add(s.substring("train.".length())));
      TrainConfig c = TrainConfig.load(null, sets);
      assertEquals(m, RunMethods.methodOf(c), m.key());
      // a method scored without shots must have trained without them (else it is scored in a prompt it never saw)
      assertEquals(m.zeroShot(), c.data().shots().max() == 0, m.key());
      assertEquals(m.needsUserDescriptions(), c.data().withDescription(), m.key());
    }
  }

  @Test
  void initFromTrainsEachSourceFirstAndIsCheckedInOneLine() {
    List<String> all = List.of("fspo", "fspo_cot", "pref_ft", "population", "oracle");
    PipelineConfig c = new PipelineConfig(all, null, Map.of("fspo", "population", "fspo_cot", "population"));
    assertEquals(List.of(Method.POPULATION, Method.FSPO, Method.FSPO_COT, Method.ORACLE), c.runs());
    assertEquals(Method.POPULATION, c.initSource(Method.FSPO));
    assertEquals(null, c.initSource(Method.ORACLE));
    assertEquals(List.of(Method.FSPO, Method.FSPO_COT, Method.POPULATION, Method.ORACLE),
        new PipelineConfig(all, null, null).runs(), "without init_from, the order of pipeline.methods");
    Function<Map<String, String>, String> refused = m -> assertThrows(
        IllegalArgumentException.class, () -> new PipelineConfig(all, null, m)).getMessage();
    assertEquals("pipeline.init_from.pref_ft: pref_ft has no run of its own (it is the fspo run's stage 1); use fspo",
        refused.apply(Map.of("pref_ft", "population")));
    assertEquals("pipeline.init_from.fspo: pref_ft has no run of its own (it is the fspo run's stage 1); use fspo",
        refused.apply(Map.of("fspo", "pref_ft")));
    assertEquals("pipeline.init_from.fspo: both fspo and fspo must be distinct runs of pipeline.methods " + all,
        refused.apply(Map.of("fspo", "fspo")));
    assertEquals("pipeline.init_from.fspo: both fspo and population must be distinct runs of pipeline.methods "
        + "[fspo, oracle]", assertThrows(IllegalArgumentException.class, () -> new PipelineConfig(
            List.of("fspo", "oracle"), null, Map.of("fspo", "population"))).getMessage());
    assertTrue(refused.apply(new TreeMap<>(Map.of("fspo", "population", "population", "oracle")))
        .endsWith("population starts from another run itself; start fspo from a run trained from scratch"));
    assertTrue(refused.apply(Map.of("fspo", "dpo")).startsWith("pipeline.init_from.fspo: "));
  }
}
