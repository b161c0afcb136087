package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fspo.train.model.FixtureRoots;
import org.fspo.train.model.Models;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.model.TransformerLm;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code fspo train --init} on the hf-archs fixture checkpoints (Qwen2 with q/k/v biases, Llama 3 with llama3 RoPE,
 * Mistral) and the fixture's byte-level BPE tokenizer: SFT and FSPO steps run, every weight moves, and final/ is a
 * model folder of the same model_type that saves and reloads with identical logits.
 */
class InitFromLlamaFamilyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The fixture folder of that name under any root. */
  static Path fixture(String name) {
    return FixtureRoots.all().stream().map(r -> r.resolve(name)).filter(d -> Files.isDirectory(d.resolve("policy")))
        .findFirst().orElseThrow(() -> new AssertionError("no fixture " + name + " under " + FixtureRoots.all()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2", "llama3", "mistral"})
  void trainsFromTheCheckpointAndExportsTheSameArchitecture(String name, @TempDir Path tmp) throws Exception {
    Path init = Files.createDirectories(tmp.resolve("init"));
    for (String f : new String[] {"config.json", "model.safetensors"}) {
      Files.copy(fixture(name).resolve("policy").resolve(f), init.resolve(f));
    }
    Files.copy(FixtureRoots.first().resolve("tokenizer/tokenizer.json"), init.resolve("tokenizer.json"));
    TrainConfig c = TinyRuns.config("llama", "ipo", "sft.steps=1", "fspo.steps=2");
    Path run = tmp.resolve("run");
    assertTrue(TrainJob.run(c, TinyRuns.pairs(), run, init, new Trainer.Options(false, false, (s, n) -> false),
        new PrintWriter(Writer.nullWriter())).completed());

    JsonNode in = JSON.readTree(init.resolve("config.json").toFile());
    JsonNode out = JSON.readTree(run.resolve("final/config.json").toFile());
    assertEquals(in.get("model_type"), out.get("model_type"));
    if (in.has("rope_scaling")) assertEquals(in.get("rope_scaling"), out.get("rope_scaling"));
    TransformerLm start = Models.load(init), trained = Models.load(run.resolve("final"));
    assertEquals(start.parameters().keySet(), trained.parameters().keySet());
    start.parameters().forEach((k, w) -> assertFalse(w.equals(trained.parameters().get(k)), k + " was trained"));

    trained.save(tmp.resolve("again"));
    TransformerLm again = Models.load(tmp.resolve("again"));
    TokenBatch b = new TokenBatch(new int[][] {{5, 90, 17, 250, 33}}, new int[][] {{1, 1, 1, 1, 1}},
        new int[][] {{0, 0, 1, 1, 1}});
    INDArray z = trained.logits(b);
    assertEquals(z, again.logits(b), "final/ saved again reloads with identical logits");
  }
}
