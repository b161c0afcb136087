package org.fspo.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.io.SafeTensors.DType;
import org.fspo.train.model.gpt2.Gpt2Config;
import org.fspo.train.model.llama.LlamaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class ModelsTest {
  @TempDir Path tmp;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TokenBatch batch() {
    return new TokenBatch(new int[][] {{1, 2, 3, 4}, {1, 2, 5, 0}}, new int[][] {{1, 1, 1, 1}, {1, 1, 1, 0}},
        new int[][] {{0, 0, 1, 1}, {0, 0, 1, 0}});
  }

  @Test
  void initIsDeterministicAndSavesAndLoadsBackExactly() throws Exception {
    Gpt2Config c = Gpt2Config.of(50, 16, 16, 2, 2);
    TransformerLm a = Models.init(c, 42), b = Models.init(c, 42), other = Models.init(c, 43);
    assertEquals(a.parameters(), b.parameters());
    assertNotEquals(a.parameters().get("transformer.wte.weight"), other.parameters().get("transformer.wte.weight"));
    // HF init: LayerNorm 1/0, biases 0, c_proj scaled by 1/sqrt(2 n_layer)
    assertEquals(1.0, a.parameters().get("transformer.h.0.ln_1.weight").meanNumber().doubleValue());
    assertEquals(0.0, a.parameters().get("transformer.h.0.attn.c_attn.bias").amaxNumber().doubleValue());
    double std = a.parameters().get("transformer.h.0.mlp.c_proj.weight").stdNumber().doubleValue();
    assertTrue(Math.abs(std - 0.02 / 2) < 0.002, "c_proj std " + std);

    a.save(tmp.resolve("gpt2"));
    JsonNode config = JSON.readTree(tmp.resolve("gpt2/config.json").toFile());
    assertEquals("gpt2", config.get("model_type").asText());
    assertEquals(16, config.get("n_embd").asInt());
    assertEquals("GPT2LMHeadModel", config.get("architectures").get(0).asText());
    TransformerLm back = Models.load(tmp.resolve("gpt2"));
    assertEquals(a.parameters(), back.parameters());
    assertEquals(a.logits(batch()), back.logits(batch()));
  }

  @Test
  void llamaSavesRopeThetaForTransformers4And5AndKeepsBf16() throws Exception {
    LlamaConfig c = new LlamaConfig(60, 16, 24, 1, 4, 2, null, 32, null, 500000.0, null, null, true, null, null,
        null, null);
    TransformerLm m = Models.init(c, 1);
    assertTrue(!m.parameters().containsKey("lm_head.weight")); // tied
    // a BF16 checkpoint loads widened and saves back as BF16
    Path dir = Files.createDirectories(tmp.resolve("bf16"));
    m.save(dir);
    Map<String, DType> bf16 = new LinkedHashMap<>();
    m.parameters().keySet().forEach(k -> bf16.put(k, DType.BF16));
    SafeTensors.write(dir.resolve("model.safetensors"), m.parameters(), bf16);
    TransformerLm loaded = Models.load(dir);
    loaded.save(tmp.resolve("again"));
    SafeTensors.read(tmp.resolve("again/model.safetensors")).values().forEach(t -> assertEquals(DType.BF16, t.dtype()));
    JsonNode config = JSON.readTree(tmp.resolve("again/config.json").toFile());
    assertEquals(500000.0, config.get("rope_theta").asDouble());
    assertEquals(500000.0, config.get("rope_parameters").get("rope_theta").asDouble());
    assertEquals(2, config.get("num_key_value_heads").asInt());
    INDArray w = m.parameters().get("model.embed_tokens.weight");
    INDArray wb = loaded.parameters().get("model.embed_tokens.weight");
    assertTrue(w.sub(wb).amaxNumber().doubleValue() <= w.amaxNumber().doubleValue() / 128, "bf16 rounding");
  }

  @Test
  void backwardNeedsTheLatestForwardAndRepeatedStepsAgree() {
    TransformerLm m = Models.init(Gpt2Config.of(50, 16, 16, 2, 2), 3);
    TransformerLm other = Models.init(Gpt2Config.of(50, 16, 16, 2, 2), 4);
    CausalLm.Forward first = m.forward(batch());
    other.forward(batch()); // another model's pass and logits in between do not disturb m's activations
    m.logits(batch());
    Map<String, INDArray> g1 = m.backward(first, new double[] {1.0, -0.5});
    assertThrows(IllegalStateException.class, () -> m.backward(first, new double[] {1.0, -0.5})); // used once
    CausalLm.Forward stale = m.forward(batch());
    CausalLm.Forward fresh = m.forward(batch());
    assertThrows(IllegalStateException.class, () -> m.backward(stale, new double[] {1.0, -0.5}));
    Map<String, INDArray> g2 = m.backward(fresh, new double[] {1.0, -0.5});
    assertEquals(g1, g2); // the reused workspace memory gives the same gradients
  }

  @Test
  void badFoldersAreOneLineUserErrors() throws Exception {
    FspoUserException e = assertThrows(FspoUserException.class, () -> Models.load(tmp));
    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    Models.init(Gpt2Config.of(50, 16, 16, 1, 2), 1).save(tmp.resolve("m"));
    Files.writeString(tmp.resolve("m/config.json"), "{\"model_type\": \"bert\"}");
    e = assertThrows(FspoUserException.class, () -> Models.load(tmp.resolve("m")));
    assertTrue(e.getMessage().contains("model_type 'bert'"), e.getMessage());
    TokenBatch tooLong = new TokenBatch(new int[1][20], new int[1][20], new int[1][20]);
    e = assertThrows(FspoUserException.class, () -> Models.init(Gpt2Config.of(50, 16, 16, 1, 2), 1).logits(tooLong));
    assertTrue(e.getMessage().contains("n_positions"), e.getMessage());
  }
}
