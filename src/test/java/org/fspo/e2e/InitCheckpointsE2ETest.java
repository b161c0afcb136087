package org.fspo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.fspo.e2e.PipelineE2ETest.Run;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * `fspo train --init DIR` then `fspo eval`, end to end through the CLI, on checkpoints as they come from the Hub:
 * the shared Qwen2 fixture (one model.safetensors, q/k/v biases) with a chat template in its tokenizer_config.json,
 * and the sharded Llama 3 fixture (model.safetensors.index.json and two shards, llama3 RoPE scaling) without one.
 * Each model folder is the fixture's policy/ plus the fixture BPE tokenizer (the same 320-token vocabulary). The
 * numbers are the conformance test's business; this checks that the whole loop takes these folders.
 */
class InitCheckpointsE2ETest {
  /** A minimal template whose end of turn is a token the fixture tokenizer has, so the run can learn to stop. */
  static final String TEMPLATE = "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}"
      + "<|endoftext|>{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}";

  @TempDir static Path dir;
  static Path store;

  @BeforeAll
  static void importStore() throws Exception {
    List<String> rows = new ArrayList<>();
    for (int u = 0; u < 8; u++) {
      for (int q = 0; q < 3; q++) {
        rows.add("{\"user_id\": \"u" + u + "\", \"prompt\": \"q" + q + "?\", \"chosen\": \"yes " + q
            + "\", \"rejected\": \"no " + q + "\"}");
      }
    }
    Path input = Files.write(dir.resolve("pairs.jsonl"), rows);
    store = dir.resolve("store");
    Run imported = PipelineE2ETest.fspo("import", "--master", "local[1]", "--input", input.toString(), "--out",
        store.toString(), "--test-fraction", "0.5");
    assertEquals(0, imported.exit(), imported.err());
  }

  static Path modelFolder(String fixture, boolean chat) throws Exception {
    Path fixtures = Path.of(System.getProperty("fspo.hf.fixtures").split(",")[0].trim()).getParent();
    Path model = Files.createDirectories(dir.resolve(fixture + "-model"));
    try (Stream<Path> files = Files.list(fixtures.resolve("hf-archs").resolve(fixture).resolve("policy"))) {
      for (Path f : files.toList()) Files.copy(f, model.resolve(f.getFileName()));
    }
    Files.copy(fixtures.resolve("hf/tokenizer/tokenizer.json"), model.resolve("tokenizer.json"));
    if (chat) {
      new ObjectMapper().writeValue(model.resolve("tokenizer_config.json").toFile(), new ObjectMapper()
          .createObjectNode().put("eos_token", "<|endoftext|>").put("chat_template", TEMPLATE));
    }
    return model;
  }

  @ParameterizedTest(name = "{0}, chat template {1}")
  @CsvSource({"qwen2, true", "llama3-sharded, false"})
  void trainsFromTheCheckpointAndEvaluates(String fixture, boolean chat) throws Exception {
    Path init = modelFolder(fixture, chat), run = dir.resolve(fixture + "-run"), report = dir.resolve(fixture + "-rep");
    List<String> sets = List.of("--set", "train.model.max_seq_len=128", "--set", "train.model.min_response_tokens=2",
        "--set", "train.data.shots=1", "--set", "train.data.chat_template=" + (chat ? "auto" : "none"),
        "--set", "train.sft.epochs=0", "--set", "train.sft.steps=2", "--set", "train.fspo.epochs=0",
        "--set", "train.fspo.steps=2", "--set", "train.optim.batch_pairs=2", "--set", "train.optim.warmup_steps=1");
    List<String> train = new ArrayList<>(List.of("train", "--master", "local[1]", "--episodes", store.toString(),
        "--out", run.toString(), "--init", init.toString(), "--no-progress"));
    train.addAll(sets);
    Run trained = PipelineE2ETest.fspo(train.toArray(String[]::new));
    assertEquals(0, trained.exit(), trained.err());
    JsonNode config = new ObjectMapper().readTree(run.resolve("final/config.json").toFile());
    JsonNode input = new ObjectMapper().readTree(init.resolve("config.json").toFile());
    input.fieldNames().forEachRemaining(k -> assertTrue(config.has(k), "final/config.json lost " + k));
    assertEquals(chat, Files.isRegularFile(run.resolve("tokenizer_config.json")), "the run keeps its template");

    Run eval = PipelineE2ETest.fspo("eval", "--master", "local[1]", "--run", run.toString(), "--episodes",
        store.toString(), "--shots", "0,1", "--methods", "fspo,pref_ft", "--set", "eval.win_rate.enabled=false",
        "--out", report.toString());
    assertEquals(0, eval.exit(), eval.err());
    JsonNode accuracy = new ObjectMapper().readTree(report.resolve("report.json").toFile()).path("reward_accuracy");
    for (String method : List.of("fspo", "pref_ft")) {
      for (String shots : List.of("0", "1")) {
        JsonNode cell = accuracy.path(method).path(shots);
        assertTrue(cell.path("n_pairs").asInt() > 0, method + " at " + shots + " shots: " + cell);
        double acc = cell.path("accuracy").asDouble(-1);
        assertTrue(acc >= 0 && acc <= 1, method + " " + shots + ": " + cell);
      }
    }
  }
}
