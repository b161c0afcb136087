package org.fspo.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.ModelFolderFiles;
import org.fspo.train.io.ModelWeights;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.io.SafeTensors.DType;
import org.fspo.train.io.SaveFormat;
import org.fspo.train.model.gpt2.Gpt2Config;
import org.fspo.train.model.llama.LlamaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Loading checks every tensor against config.json (one line naming the tensor and the file); saving writes a whole
 * Hugging Face folder: the input's config.json keys, its generation and tokenizer files, its dtypes, shards.
 */
class ModelFolderTest {
  @TempDir Path tmp;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TokenBatch batch() {
    return new TokenBatch(new int[][] {{1, 2, 3, 4, 7}, {1, 2, 5, 0, 0}},
        new int[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}}, new int[][] {{0, 0, 1, 1, 1}, {0, 0, 1, 0, 0}});
  }

  private static TransformerLm llama(boolean tied) throws Exception {
    LlamaConfig c = LlamaConfig.fromJson(JSON.readTree("{\"model_type\": \"llama\", \"vocab_size\": 40, "
        + "\"hidden_size\": 16, \"intermediate_size\": 24, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, "
        + "\"num_key_value_heads\": 2, \"max_position_embeddings\": 32, \"tie_word_embeddings\": " + tied + "}"));
    return Models.init(c, 5);
  }

  /** A GPT-2 folder whose model.safetensors is rewritten after {@code edit} changes its tensors. */
  private Path gpt2With(Consumer<LinkedHashMap<String, INDArray>> edit, Map<String, DType> dtypes) {
    Path dir = tmp.resolve("gpt2");
    TransformerLm m = Models.init(Gpt2Config.of(40, 16, 16, 2, 2), 3);
    m.save(dir);
    LinkedHashMap<String, INDArray> t = new LinkedHashMap<>(m.parameters());
    edit.accept(t);
    SafeTensors.write(dir.resolve(ModelWeights.SINGLE), t, dtypes);
    return dir;
  }

  private static void assertOneLine(Path dir, String file, String... parts) {
    FspoUserException e = assertThrows(FspoUserException.class, () -> Models.load(dir));
    String msg = e.getMessage();
    assertTrue(msg.startsWith(dir.resolve(file) + ": "), "names the file " + file + ": " + msg);
    for (String p : parts) assertTrue(msg.contains(p), "says '" + p + "': " + msg);
    assertFalse(msg.contains("\n"), msg);
  }

  @Test
  void missingExtraMisShapedOrIntegerTensorsAreOneLineNamingTensorAndFile() {
    String bin = ModelWeights.SINGLE;
    assertOneLine(gpt2With(t -> t.remove("transformer.h.1.ln_2.bias"), Map.of()), bin,
        "tensor transformer.h.1.ln_2.bias is missing");
    assertOneLine(gpt2With(t -> t.put("transformer.h.0.attn.q_norm.weight", Nd4j.ones(16)), Map.of()), bin,
        "tensor transformer.h.0.attn.q_norm.weight is not a parameter of the gpt2 model");
    assertOneLine(gpt2With(t -> t.put("transformer.h.1.mlp.c_fc.bias", Nd4j.ones(60)), Map.of()), bin,
        "tensor transformer.h.1.mlp.c_fc.bias should have shape [64]", "[60]");
    assertOneLine(gpt2With(t -> t.put("transformer.ln_f.bias", Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.LONG,
        16)), Map.of("transformer.ln_f.bias", DType.I64)), bin, "tensor transformer.ln_f.bias is I64");
  }

  @Test
  void buffersThatAreNotWeightsAreIgnored() throws Exception {
    // GPT-2's causal-mask buffers (older exports keep them, without the transformer. prefix too)
    Path dir = gpt2With(t -> {
      t.put("transformer.h.0.attn.bias", Nd4j.ones(1, 1, 16, 16));
      t.put("h.1.attn.masked_bias", Nd4j.scalar(-1e4f));
    }, Map.of());
    assertEquals(Models.init(Gpt2Config.of(40, 16, 16, 2, 2), 3).parameters(), Models.load(dir).parameters());
    // Llama's RoPE inv_freq buffer, and lm_head.weight in a tied checkpoint (transformers ties it to the embedding)
    TransformerLm m = llama(true);
    Path ldir = tmp.resolve("llama");
    m.save(ldir);
    LinkedHashMap<String, INDArray> t = new LinkedHashMap<>(m.parameters());
    t.put("model.layers.0.self_attn.rotary_emb.inv_freq", Nd4j.ones(2));
    t.put("lm_head.weight", m.parameters().get("model.embed_tokens.weight"));
    SafeTensors.write(ldir.resolve(ModelWeights.SINGLE), t);
    assertEquals(m.logits(batch()), Models.load(ldir).logits(batch()));
  }

  @Test
  void aMisShapedTensorInAShardNamesTheShard() {
    TransformerLm m = Models.init(Gpt2Config.of(40, 16, 16, 2, 2), 3);
    Path dir = tmp.resolve("sharded");
    Models.save(m, dir, new SaveFormat(false, 4096));
    ModelWeights w = ModelWeights.open(dir);
    String last = "transformer.ln_f.weight";
    Path shard = w.fileOf(last);
    assertFalse(shard.equals(w.fileOf("transformer.wte.weight")), "the tensor is beyond the first shard");
    LinkedHashMap<String, INDArray> inShard = new LinkedHashMap<>();
    for (String n : w.names()) if (w.fileOf(n).equals(shard)) inShard.put(n, w.read(n).array());
    inShard.put(last, Nd4j.ones(15));
    SafeTensors.write(shard, inShard);
    assertOneLine(dir, shard.getFileName().toString(), "tensor " + last + " should have shape [16]");
  }

  @Test
  void shardedSaveReloadsWithIdenticalLogits() throws Exception {
    TransformerLm m = llama(false);
    Path dir = tmp.resolve("m");
    Models.save(m, dir, new SaveFormat(false, 5000));
    assertTrue(Files.exists(dir.resolve(ModelWeights.INDEX)));
    assertTrue(ModelWeights.open(dir).names().stream().map(n -> ModelWeights.open(dir).fileOf(n)).distinct().count()
        > 2, "several shards");
    TransformerLm back = Models.load(dir);
    assertEquals(m.parameters(), back.parameters());
    assertEquals(m.logits(batch()), back.logits(batch()));
  }

  /**
   * A BF16 checkpoint with keys this project does not model, a generation config and tokenizer files: a default save
   * writes the same weight bytes, the same config.json tree and the same files; an F32 save widens every tensor and
   * says so in torch_dtype, changing nothing else.
   */
  @Test
  void saveKeepsTheInputsConfigKeysFilesAndDtypes() throws Exception {
    TransformerLm m = llama(true);
    Path in = tmp.resolve("in");
    m.save(in);
    ObjectNode config = (ObjectNode) JSON.readTree(in.resolve("config.json").toFile());
    config.put("torch_dtype", "bfloat16").put("my_custom_key", "kept").put("use_cache", true)
        .putObject("quantization_like").putArray("nested").add(1).add("two");
    config.putArray("architectures").add("LlamaForCausalLM");
    Files.writeString(in.resolve("config.json"), config.toPrettyString());
    Map<String, String> files = Map.of("generation_config.json", "{\"do_sample\": true, \"temperature\": 0.6}",
        "tokenizer.json", "{\"version\": \"1.0\"}", "tokenizer_config.json", "{\"chat_template\": \"{{ x }}\"}",
        "special_tokens_map.json", "{\"eos_token\": \"</s>\"}");
    for (Map.Entry<String, String> f : files.entrySet()) Files.writeString(in.resolve(f.getKey()), f.getValue());
    Map<String, DType> bf16 = new LinkedHashMap<>();
    m.parameters().keySet().forEach(k -> bf16.put(k, DType.BF16));
    SafeTensors.write(in.resolve(ModelWeights.SINGLE), m.parameters(), bf16);

    TransformerLm loaded = Models.load(in);
    Path out = tmp.resolve("out");
    Models.save(loaded, out, SaveFormat.defaults());
    assertArrayEquals(Files.readAllBytes(in.resolve(ModelWeights.SINGLE)),
        Files.readAllBytes(out.resolve(ModelWeights.SINGLE)), "BF16 in, the same BF16 bytes out");
    assertEquals(config, JSON.readTree(out.resolve("config.json").toFile()), "every key and value of the input");
    for (Map.Entry<String, String> f : files.entrySet()) {
      assertEquals(f.getValue(), Files.readString(out.resolve(f.getKey()), StandardCharsets.UTF_8), f.getKey());
    }
    assertEquals(loaded.logits(batch()), Models.load(out).logits(batch()));

    Path f32 = tmp.resolve("f32");
    Models.save(loaded, f32, new SaveFormat(true, SaveFormat.DEFAULT_SHARD_BYTES));
    SafeTensors.read(f32.resolve(ModelWeights.SINGLE)).forEach((k, t) -> assertEquals(DType.F32, t.dtype(), k));
    ObjectNode expected = config.deepCopy().put("torch_dtype", "float32");
    assertEquals(expected, JSON.readTree(f32.resolve("config.json").toFile()));
    assertEquals(loaded.parameters(), Models.load(f32).parameters(), "widening BF16 to F32 is exact");
    assertEquals(ModelFolderFiles.COPIED.size(), ModelFolderFiles.COPIED.stream().distinct().count());
  }
}
