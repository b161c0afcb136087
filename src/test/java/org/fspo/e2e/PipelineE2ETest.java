package org.fspo.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fspo.cli.Fspo;
import org.fspo.core.episode.Split;
import org.fspo.synth.store.EpisodeStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's first command, shrunk: `fspo pipeline` on a tiny config (a few procedural users, a one-layer model,
 * a few steps), then `fspo eval` alone on its output. Checks the report contract, that every held-out user is
 * either scored or counted as skipped, that eval is deterministic (byte-identical report.json), the promotion gate,
 * and the one-line error of a bad path. Learning itself is the demo's business (conf/demo.yaml), not this test's.
 */
class PipelineE2ETest {
  static final String TINY = """
      synth:
        seed: 7
        num_users: 24
        pairs_per_user: 6
        test_fraction: 0.34
        partitions: 2
        procedural:
          attributes: [tone, length]
          max_diff_attributes: 1
      train:
        model: {d_model: 16, layers: 1, heads: 2, max_seq_len: 256}
        data: {shots: 1-2}
        sft: {epochs: 0, steps: 3, lr: 1.0e-3}
        fspo: {epochs: 0, steps: 3, lr: 1.0e-3, beta: 0.1}
        optim: {batch_pairs: 4, warmup_steps: 1}
        checkpoint: {every_steps: 2}
      eval:
        shots: [0, 2]
        queries_per_user: 2
        bootstrap_resamples: 50
        gate: {method: fspo, shots: 2}
        win_rate:
          shots: [2]
          queries_per_user: 1
          generate: {max_tokens: 12}
      pipeline:
        methods: [fspo, fspo_cot, pref_ft, population, oracle]
        train_overrides:
          population: [train.sft.steps=2]
        init_from:
          fspo: population
      """;
  static final List<String> METHODS = List.of("fspo", "fspo_cot", "pref_ft", "population", "oracle");

  @TempDir static Path dir;
  static Path config, out;
  static Run pipeline;

  record Run(int exit, String out, String err) {}

  static Run fspo(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    CommandLine cli = Fspo.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @BeforeAll
  static void runPipeline() throws Exception {
    config = Files.writeString(dir.resolve("tiny.yaml"), TINY);
    out = dir.resolve("out");
    pipeline = fspo("pipeline", "--config", config.toString(), "--out", out.toString(), "--master", "local[2]",
        "--no-progress");
  }

  static JsonNode json(Path file) throws Exception {
    return new ObjectMapper().readTree(file.toFile());
  }

  @Test
  void pipelineWritesTheReportContractForEveryMethodAndShotCount() throws Exception {
    assertEquals(0, pipeline.exit(), pipeline.out() + pipeline.err());
    assertTrue(pipeline.out().contains("report: " + out.resolve("report").resolve("report.md")), pipeline.out());
    JsonNode report = json(out.resolve("report/report.json"));
    assertEquals(1, report.path("schema_version").asInt());
    assertEquals(METHODS, ReportFields.names(report.path("reward_accuracy")));
    for (String m : METHODS) {
      JsonNode byShots = report.path("reward_accuracy").path(m);
      assertEquals(List.of("0", "2"), ReportFields.names(byShots), m);
      for (JsonNode cell : byShots) {
        assertEquals(List.of("accuracy", "ci_low", "ci_high", "mean_margin", "n_pairs", "n_users",
            "balanced_accuracy", "n_patterns"), ReportFields.names(cell));
        double balanced = cell.get("balanced_accuracy").asDouble(); // procedural users: never null
        assertTrue(balanced >= 0 && balanced <= 1 && cell.get("n_patterns").asInt() >= 1, cell.toString());
        double acc = cell.get("accuracy").asDouble();
        assertTrue(cell.get("ci_low").asDouble() <= acc && acc <= cell.get("ci_high").asDouble(), cell.toString());
      }
    }
    assertEquals(1.0, report.path("utility_sanity").path("accuracy").asDouble(), 0.0);
    assertEquals("population", report.path("win_rate_baseline").asText());
    assertEquals(List.of("fspo", "fspo_cot", "pref_ft", "oracle"), ReportFields.names(report.path("win_rate")));
    // sample quality for every judged method and the baseline; samples and prompt-fit counts present
    assertEquals(List.of("fspo", "fspo_cot", "pref_ft", "population", "oracle"),
        ReportFields.names(report.path("sample_quality")));
    for (JsonNode byShots : report.path("sample_quality")) {
      for (JsonNode cell : byShots) {
        double rate = cell.get("well_formed_rate").asDouble(), u = cell.get("mean_utility").asDouble();
        assertTrue(rate >= 0 && rate <= 1, cell.toString());
        assertTrue(cell.get("mean_min_utility").asDouble() <= u && u <= cell.get("mean_max_utility").asDouble(),
            cell.toString());
      }
    }
    assertTrue(report.path("samples").size() >= 1, report.path("samples").toString());
    assertEquals(METHODS, ReportFields.names(report.path("prompt_fit")));
    for (String f : List.of("report.md", "accuracy_vs_shots.png", "win_rate.png", "training_curves.png",
        "judgments.jsonl")) {
      assertTrue(Files.size(out.resolve("report").resolve(f)) > 0, f);
    }
    for (String run : List.of("fspo", "fspo_cot", "population", "oracle")) {
      assertTrue(Files.isRegularFile(out.resolve("runs").resolve(run).resolve("final/model.safetensors")), run);
    }
  }

  @Test
  void nothingIsLostEveryHeldOutUserIsScoredOrCountedAndEveryPairScoredOncePerCell() throws Exception {
    assertEquals(0, pipeline.exit(), pipeline.err());
    JsonNode report = json(out.resolve("report/report.json"));
    try (SparkSession spark = SparkSession.builder().master("local[1]").appName("e2e-check")
        .config("spark.ui.enabled", "false").getOrCreate()) {
      long testUsers = EpisodeStore.loadUsers(spark, out.resolve("store").toString(), Split.TEST).size();
      long synthesized = EpisodeStore.preferences(spark, out.resolve("store").toString(), null).count()
          + EpisodeStore.quarantine(spark, out.resolve("store").toString()).count();
      assertEquals(24L * 6, synthesized); // every synthesized pair is in the store or in quarantine
      long parquetRows = spark.read().parquet(out.resolve("report/pair_scores.parquet").toString()).count();
      long cellPairs = 0;
      for (JsonNode byShots : report.path("reward_accuracy")) {
        for (JsonNode cell : byShots) {
          cellPairs += cell.get("n_pairs").asLong();
          // 6 pairs per user >= 2 shots + 1: no user is skipped, each gives 2 queries
          assertEquals(testUsers, cell.get("n_users").asLong());
          assertEquals(2 * testUsers, cell.get("n_pairs").asLong());
        }
      }
      assertEquals(cellPairs, parquetRows);
    }
  }

  @Test
  void evalAloneIsDeterministicAndGates() throws Exception {
    assertEquals(0, pipeline.exit(), pipeline.err());
    List<String> base = List.of("eval", "--config", config.toString(), "--run", out.resolve("runs").toString(),
        "--episodes", out.resolve("store").toString(), "--methods", "fspo,pref_ft", "--master", "local[2]");
    List<Path> reports = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      List<String> args = new ArrayList<>(base);
      args.addAll(List.of("--out", dir.resolve(name).toString(), "--gate", out.resolve("report/report.json").toString()));
      Run run = fspo(args.toArray(String[]::new));
      assertEquals(0, run.exit(), run.out() + run.err());
      reports.add(dir.resolve(name).resolve("report.json"));
    }
    assertEquals(Files.readString(reports.get(0)), Files.readString(reports.get(1)));
    JsonNode gate = json(dir.resolve("a/gate.json"));
    // same runs, same held-out set: the candidate equals the incumbent, and equal is not worse
    assertTrue(gate.path("promote").asBoolean(), gate.toString());
    assertEquals(gate.path("incumbent").asDouble(), gate.path("candidate").asDouble(), 0.0);
  }

  @Test
  void aMethodsTrainOverridesReachItsRunOnly() throws Exception {
    assertEquals(0, pipeline.exit(), pipeline.err());
    for (String m : List.of("fspo", "fspo_cot", "population", "oracle")) {
      JsonNode sft = org.fspo.core.config.ConfigLoader.yaml()
          .readTree(out.resolve("runs").resolve(m).resolve("config.yaml").toFile()).path("train").path("sft");
      assertEquals(m.equals("population") ? 2 : 3, sft.path("steps").asInt(), m + ": " + sft);
    }
  }

  @Test
  void aRerunWithAnotherTrainingConfigDoesNotReuseTheOldRuns() throws Exception {
    assertEquals(0, pipeline.exit(), pipeline.err());
    Path first = out.resolve("runs/population"); // trained first: fspo starts from it (init_from)
    byte[] recorded = Files.readAllBytes(first.resolve("config.yaml"));
    Run run = fspo("pipeline", "--config", config.toString(), "--out", out.toString(), "--master", "local[1]",
        "--no-progress", "--set", "train.fspo.lr=2.0e-3");
    assertEquals(78, run.exit(), run.out() + run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertTrue(run.err().contains(first.resolve("config.yaml") + ": this finished run was trained with another "
        + "config than the one it would be trained with now: train.fspo.lr 0.001 -> 0.002; delete " + first),
        run.err());
    assertArrayEquals(recorded, Files.readAllBytes(first.resolve("config.yaml")));
  }

  @Test
  void aRunStartsFromItsInitSourcesStageOneModelAndARerunWithoutItIsRefused() throws Exception {
    assertEquals(0, pipeline.exit(), pipeline.err());
    Path runs = out.resolve("runs");
    assertArrayEquals(Files.readAllBytes(runs.resolve("population/sft/model.safetensors")),
        Files.readAllBytes(runs.resolve("fspo/init/model.safetensors")), "fspo started from population's sft/");
    assertEquals("population", Files.readString(runs.resolve("fspo/pipeline-init-from.txt")).strip());
    assertEquals("none", Files.readString(runs.resolve("fspo_cot/pipeline-init-from.txt")).strip());
    assertTrue(pipeline.out().indexOf("train population") < pipeline.out().indexOf("train fspo "), pipeline.out());
    // the same train: section without init_from: the finished fspo run is not reused as if trained from scratch
    Path other = Files.writeString(dir.resolve("no-init.yaml"), TINY.replace("  init_from:\n    fspo: population\n",
        ""));
    Run run = fspo("pipeline", "--config", other.toString(), "--out", out.toString(), "--master", "local[1]",
        "--no-progress");
    assertEquals(78, run.exit(), run.out() + run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertTrue(run.err().contains(runs.resolve("fspo") + ": this finished run started from the population run, and "
        + "pipeline.init_from now starts it from a fresh model; delete " + runs.resolve("fspo")), run.err());
  }

  @Test
  void aMissingRunIsOneLineOnStderr() {
    Run run = fspo("eval", "--run", dir.resolve("nope").toString(), "--episodes", out.resolve("store").toString(),
        "--out", dir.resolve("x").toString(), "--master", "local[1]");
    assertEquals(66, run.exit(), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertTrue(run.err().contains("no trained run for method 'fspo'"), run.err());
  }
}
