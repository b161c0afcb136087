package org.fspo.train.model.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.model.TransformerLm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** PEFT adapter folders: written as PEFT writes them, read back exactly, bad ones refused in one line. */
class LoraAdaptersTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void savedAdapterReloadsToTheSameTensorsAndLogits(String family) throws Exception {
    TransformerLm model = LoraModelTest.tiny(family);
    LoraAdapter adapter = LoraModelTest.randomAdapter(model, 21);
    INDArray logits = model.logits(LoraModelTest.BATCH);
    Path dir = tmp.resolve("adapter");
    LoraAdapters.save(model, dir, "some/base");

    JsonNode c = JSON.readTree(dir.resolve("adapter_config.json").toFile());
    assertEquals("LORA", c.get("peft_type").asText());
    assertEquals("CAUSAL_LM", c.get("task_type").asText());
    assertEquals(3, c.get("r").asInt());
    assertTrue(c.get("lora_alpha").isIntegralNumber(), "lora_alpha is written as PEFT's int");
    assertEquals(family.equals("llama"), c.get("use_rslora").asBoolean());
    assertEquals(family.equals("gpt2"), c.get("fan_in_fan_out").asBoolean(), "Conv1D is fan_in_fan_out");
    assertEquals("[\"all-linear\"]", c.get("target_modules").toString());
    assertEquals("some/base", c.get("base_model_name_or_path").asText());
    assertEquals("none", c.get("bias").asText());
    assertFalse(c.get("use_dora").asBoolean());

    Map<String, SafeTensors.Tensor> file = SafeTensors.read(dir.resolve("adapter_model.safetensors"));
    String a = family.equals("llama") ? "base_model.model.model.layers.1.mlp.down_proj.lora_A.weight"
        : "base_model.model.transformer.h.1.attn.c_attn.lora_A.weight";
    String b = a.replace("lora_A", "lora_B");
    long in = family.equals("llama") ? 24 : 16, out = family.equals("llama") ? 16 : 48;
    assertArrayEquals(new long[] {3, in}, file.get(a).array().shape(), a);
    assertArrayEquals(new long[] {out, 3}, file.get(b).array().shape(), b);
    assertEquals(adapter.parameters().keySet(), file.keySet());

    TransformerLm fresh = LoraAdapters.apply(LoraModelTest.tiny(family), dir);
    assertEquals(adapter.parameters(), fresh.parameters());
    assertEquals(logits, fresh.logits(LoraModelTest.BATCH));
    assertEquals(adapter.config().scale(), ((LoraAdapter) fresh.adapter()).config().scale(), 0);
  }

  @Test
  void initStartsAtTheBaseAndTargetsTheNamedProjections() {
    TransformerLm model = LoraModelTest.tiny("llama");
    INDArray base = model.logits(LoraModelTest.BATCH);
    LoraAdapter a = LoraAdapters.init(model, LoraConfig.of(4, 8, false, List.of("q_proj", "v_proj")), 1);
    assertEquals(List.of("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
        "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj"), List.copyOf(a.layers().keySet()));
    assertEquals(2.0, a.config().scale());
    INDArray a0 = a.parameters().get(LoraAdapter.nameA("model.layers.0.self_attn.q_proj"));
    double bound = 1 / Math.sqrt(16); // kaiming_uniform(a = sqrt(5)) on [r, in]: U(-1/sqrt(in), 1/sqrt(in))
    assertTrue(a0.amaxNumber().doubleValue() <= bound && a0.amaxNumber().doubleValue() > 0.8 * bound);
    assertEquals(0.0, a.parameters().get(LoraAdapter.nameB("model.layers.0.self_attn.q_proj")).amaxNumber()
        .doubleValue());
    assertEquals(base, model.logits(LoraModelTest.BATCH), "B = 0: the adapted model equals the base");
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> LoraAdapters.init(model, LoraConfig.of(4, 8, false, List.of("c_attn")), 1));
    assertTrue(e.getMessage().contains("q_proj, k_proj"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "use_dora|true|use_dora = true is not supported",
      "bias|\"all\"|bias = \"all\" is not supported",
      "modules_to_save|[\"lm_head\"]|modules_to_save = [\"lm_head\"] is not supported",
      "rank_pattern|{\"q_proj\": 8}|rank_pattern = {\"q_proj\":8} is not supported",
      "peft_type|\"PREFIX_TUNING\"|peft_type = \"PREFIX_TUNING\" is not supported",
      "task_type|\"SEQ_CLS\"|task_type = \"SEQ_CLS\" is not supported",
      "r|\"four\"|r must be an integer",
      "lora_alpha|-1|lora_alpha must be positive",
      "target_modules|[\"c_fc\"]|selects no projection of this llama model",
      "some_future_key|{\"on\": 1}|some_future_key = {\"on\":1} is an unknown key"})
  void unsupportedConfigIsAOneLineErrorNamingTheKey(String key, String value, String message) throws Exception {
    Path dir = savedLlamaAdapter();
    ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("adapter_config.json").toFile());
    c.set(key, JSON.readTree(value));
    JSON.writeValue(dir.resolve("adapter_config.json").toFile(), c);
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> LoraAdapters.apply(LoraModelTest.tiny("llama"), dir));
    assertTrue(e.getMessage().contains("adapter_config.json: ") && e.getMessage().contains(message), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
    assertEquals(FspoUserException.CONFIG, e.exitCode());
  }

  @Test
  void harmlessKeysLoad() throws Exception {
    Path dir = savedLlamaAdapter();
    ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("adapter_config.json").toFile());
    c.put("lora_dropout", 0.05).put("inference_mode", false).put("some_future_flag", false).putNull("layers_pattern");
    c.putArray("exclude_modules");
    JSON.writeValue(dir.resolve("adapter_config.json").toFile(), c);
    LoraAdapter a = LoraAdapters.read(dir, LoraModelTest.tiny("llama"));
    assertEquals(0.05, a.config().loraDropout());
  }

  @Test
  void badTensorsAreOneLineErrorsNamingTheTensor() throws Exception {
    String q = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight";
    assertTensorError(t -> t.put(q, t.get(q).reshape(3 * 16).dup()), q + " has shape [48] but r and the base");
    assertTensorError(t -> t.remove(q), q + " is missing");
    String dora = "base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector";
    assertTensorError(t -> t.put(dora, t.get(q).dup()), dora + " is not a LoRA weight");
    String head = "base_model.model.lm_head.lora_A.weight";
    assertTensorError(t -> t.put(head, t.get(q).dup()), head + " adapts lm_head, which is not a projection");
  }

  private void assertTensorError(java.util.function.Consumer<Map<String, INDArray>> edit, String message)
      throws Exception {
    Path dir = savedLlamaAdapter();
    LinkedHashMap<String, INDArray> t = SafeTensors.readArrays(dir.resolve("adapter_model.safetensors"));
    edit.accept(t);
    SafeTensors.write(dir.resolve("adapter_model.safetensors"), t);
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> LoraAdapters.apply(LoraModelTest.tiny("llama"), dir));
    assertTrue(e.getMessage().contains("adapter_model.safetensors: tensor ") && e.getMessage().contains(message),
        e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void aFolderWithoutTheFilesSaysWhatItNeeds() {
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> LoraAdapters.apply(LoraModelTest.tiny("gpt2"), tmp));
    assertTrue(e.getMessage().contains("adapter_config.json and adapter_model.safetensors"), e.getMessage());
    assertEquals(FspoUserException.NO_INPUT, e.exitCode());
  }

  private Path savedLlamaAdapter() throws Exception {
    TransformerLm model = LoraModelTest.tiny("llama");
    LoraModelTest.randomAdapter(model, 5);
    Path dir = Files.createTempDirectory(tmp, "a");
    LoraAdapters.save(model, dir, null);
    return dir;
  }
}
