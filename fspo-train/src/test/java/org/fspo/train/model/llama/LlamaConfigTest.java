package org.fspo.train.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;

/** config.json of model_type llama, mistral and qwen2: biases, head_dim, eos lists, sliding windows, round trips. */
class LlamaConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHAPE = "'vocab_size': 50, 'hidden_size': 16, 'intermediate_size': 24, "
      + "'num_hidden_layers': 2, 'num_attention_heads': 4, 'num_key_value_heads': 2, ";

  static LlamaConfig config(String keys) throws Exception {
    String all = keys.isEmpty() ? SHAPE.substring(0, SHAPE.length() - 2) : SHAPE + keys;
    return LlamaConfig.fromJson(JSON.readTree(("{" + all + "}").replace('\'', '"')));
  }

  private static Set<String> biases(LlamaConfig c) {
    return LlamaModel.shapes(c).keySet().stream().filter(n -> n.startsWith("model.layers.0.") && n.endsWith(".bias"))
        .map(n -> n.substring("model.layers.0.".length())).collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void biasesFollowTheModelType() throws Exception {
    Set<String> qkv = Set.of("self_attn.q_proj.bias", "self_attn.k_proj.bias", "self_attn.v_proj.bias");
    assertEquals(qkv, biases(config("'model_type': 'qwen2'")));
    assertEquals(qkv, biases(config("'model_type': 'qwen2', 'attention_bias': true, 'mlp_bias': true"))); // HF ignores
    assertEquals(Set.of(), biases(config("'model_type': 'llama'")));
    assertEquals(Set.of(), biases(config("'model_type': 'mistral', 'sliding_window': null, 'attention_bias': true")));
    assertEquals(Set.of("self_attn.q_proj.bias", "self_attn.k_proj.bias", "self_attn.v_proj.bias",
        "self_attn.o_proj.bias"), biases(config("'model_type': 'llama', 'attention_bias': true")));
    assertEquals(Set.of("mlp.gate_proj.bias", "mlp.up_proj.bias", "mlp.down_proj.bias"),
        biases(config("'model_type': 'llama', 'mlp_bias': true")));
    // HF named_parameters order: each bias right after its weight
    List<String> names = List.copyOf(LlamaModel.shapes(config("'model_type': 'qwen2'")).keySet());
    assertEquals("model.layers.0.self_attn.q_proj.bias",
        names.get(names.indexOf("model.layers.0.self_attn.q_proj.weight") + 1));
  }

  @Test
  void headDimMayDifferFromHiddenOverHeads() throws Exception {
    LlamaConfig c = config("'head_dim': 12");
    assertEquals(12, c.headDim());
    assertEquals(List.of(48L, 16L), List.of(LlamaModel.shapes(c).get("model.layers.0.self_attn.q_proj.weight")[0],
        LlamaModel.shapes(c).get("model.layers.0.self_attn.q_proj.weight")[1]));
    assertEquals(16, LlamaModel.shapes(c).get("model.layers.0.self_attn.o_proj.weight")[0]);
    assertEquals(4, config("'head_dim': null").headDim()); // Mistral writes null: hidden / heads
  }

  @Test
  void eosIsOneIdOrAList() throws Exception {
    assertEquals(List.of(2), config("'eos_token_id': 2").eosTokenIds());
    LlamaConfig l3 = config("'eos_token_id': [128001, 128008, 128009]");
    assertEquals(List.of(128001, 128008, 128009), l3.eosTokenIds());
    assertEquals(3, l3.toJson().get("eos_token_id").size());
    assertTrue(config("'eos_token_id': 7").toJson().get("eos_token_id").isInt()); // a single id stays a number
    assertEquals(List.of(2), config("").eosTokenIds()); // LlamaConfig's default
    assertEquals(List.of(), config("'model_type': 'qwen2'").eosTokenIds()); // Qwen2Config's: none
  }

  @Test
  void slidingWindowKeysAreAcceptedWhenTheWindowCannotMatter() throws Exception {
    config("'model_type': 'mistral', 'sliding_window': null");
    config("'model_type': 'mistral', 'sliding_window': 4096, 'max_position_embeddings': 4096");
    config("'model_type': 'qwen2', 'use_sliding_window': false, 'sliding_window': 4096, 'max_window_layers': 1, "
        + "'max_position_embeddings': 32768");
    config("'model_type': 'qwen2', 'use_sliding_window': true, 'sliding_window': 64, 'max_window_layers': 2, "
        + "'max_position_embeddings': 32768"); // no layer at or above max_window_layers 2 of 2
    assertWindowError("'model_type': 'mistral', 'sliding_window': 4096, 'max_position_embeddings': 32768",
        "sliding_window");
    assertWindowError("'model_type': 'mistral'", "sliding_window"); // MistralConfig's default window is 4096
    assertWindowError("'model_type': 'qwen2', 'use_sliding_window': true, 'sliding_window': 64, "
        + "'max_window_layers': 1, 'max_position_embeddings': 128", "use_sliding_window");
  }

  private static void assertWindowError(String keys, String key) {
    FspoUserException e = assertThrows(FspoUserException.class, () -> config(keys));
    assertTrue(e.getMessage().startsWith("llama config.json: " + key + ":"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void toJsonReadsBackEqual() throws Exception {
    for (String keys : new String[] {"'model_type': 'qwen2', 'rope_theta': 1e6, 'tie_word_embeddings': true",
        "'model_type': 'mistral', 'sliding_window': null, 'head_dim': 8",
        "'eos_token_id': [1, 2], 'attention_bias': true, 'mlp_bias': true, 'rope_theta': 5e5, 'rope_scaling': "
            + "{'rope_type': 'llama3', 'factor': 32.0, 'low_freq_factor': 1.0, 'high_freq_factor': 4.0, "
            + "'original_max_position_embeddings': 16}"}) {
      LlamaConfig c = config(keys);
      JsonNode out = c.toJson();
      assertEquals(c, LlamaConfig.fromJson(out), keys);
      assertEquals(c.modelType(), out.get("model_type").asText());
    }
  }

  @Test
  void unsupportedTypesAndActivationsAreOneLineErrors() {
    FspoUserException e = assertThrows(FspoUserException.class, () -> config("'hidden_act': 'gelu'"));
    assertTrue(e.getMessage().contains("hidden_act gelu"), e.getMessage());
    e = assertThrows(FspoUserException.class, () -> config("'rope_scaling': {'rope_type': 'yarn', 'factor': 4.0}"));
    assertTrue(e.getMessage().contains("rope_scaling.rope_type yarn"), e.getMessage());
  }
}
