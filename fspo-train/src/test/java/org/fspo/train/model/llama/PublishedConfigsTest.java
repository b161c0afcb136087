package org.fspo.train.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The config.json of published checkpoints (test resources published-configs/, as on the Hugging Face Hub) read by
 * {@link LlamaConfig}: the tensors {@link LlamaModel#shapes} then expects add up to each model's published parameter
 * count, which checks head_dim, GQA, the Qwen2 biases and tied embeddings against numbers known independently.
 */
class PublishedConfigsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode published(String name) throws Exception {
    try (InputStream in = PublishedConfigsTest.class.getResourceAsStream("/published-configs/" + name + ".json")) {
      return JSON.readTree(in);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "Llama-3.2-1B-Instruct, 1235814400, llama3",
    "Qwen2.5-0.5B-Instruct, 494032768, default",
    "SmolLM2-135M-Instruct, 134515008, default",
    "Mistral-7B-Instruct-v0.3, 7248023552, default"})
  void publishedConfigsGiveThePublishedParameterCount(String name, long params, String rope) throws Exception {
    LlamaConfig c = LlamaConfig.fromJson(published(name));
    long total = LlamaModel.shapes(c).values().stream()
        .mapToLong(s -> java.util.Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
    assertEquals(params, total, name);
    assertEquals(rope, c.rope().type());
  }

  @Test
  void llama32InstructListsThreeEosIdsAndItsRopeReadsTheSameInTheTransformers5Layout() throws Exception {
    ObjectNode v4 = (ObjectNode) published("Llama-3.2-1B-Instruct");
    LlamaConfig c = LlamaConfig.fromJson(v4);
    assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
    assertEquals(new RopeConfig("llama3", 500000, 32.0, 1.0, 4.0, 8192), c.rope());
    ObjectNode v5 = v4.deepCopy();
    ObjectNode params = ((ObjectNode) v5.remove("rope_scaling")).put("rope_theta", v5.remove("rope_theta").asDouble());
    v5.set("rope_parameters", params);
    assertEquals(c, LlamaConfig.fromJson(v5));
  }

  @Test
  void mistral7bV01IsRefusedForItsSlidingWindowAndQwenWithYarnForItsRope() throws Exception {
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> LlamaConfig.fromJson(published("Mistral-7B-v0.1")));
    assertTrue(e.getMessage().startsWith("llama config.json: sliding_window: sliding-window attention (sliding_window "
        + "4096 < max_position_embeddings 32768)"), e.getMessage());
    // Qwen2.5's model card enables YaRN for long inputs by adding this rope_scaling
    ObjectNode yarn = (ObjectNode) published("Qwen2.5-0.5B-Instruct");
    yarn.putObject("rope_scaling").put("factor", 4.0).put("original_max_position_embeddings", 32768)
        .put("type", "yarn");
    e = assertThrows(FspoUserException.class, () -> LlamaConfig.fromJson(yarn));
    assertTrue(e.getMessage().contains("rope_scaling.rope_type yarn is not supported"), e.getMessage());
  }
}
