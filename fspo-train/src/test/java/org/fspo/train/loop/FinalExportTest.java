package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.train.io.ModelWeights;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.io.SafeTensors.DType;
import org.fspo.train.model.Models;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.tokenizer.WordLevelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * RUN_DIR/final/ of a run started from an --init folder is a whole Hugging Face folder: the input's config.json keys,
 * its generation and tokenizer files, the weights (sharded when large), and it reloads with the trained logits.
 */
class FinalExportTest {
  @TempDir Path tmp;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SIDE_FILES = List.of("generation_config.json", "tokenizer_config.json",
      "special_tokens_map.json");

  private static TokenBatch batch() {
    return new TokenBatch(new int[][] {{1, 2, 3, 4, 5}, {3, 2, 1, 0, 0}},
        new int[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}}, new int[][] {{0, 0, 1, 1, 1}, {0, 0, 1, 0, 0}});
  }

  /** An --init folder as the Hub has them: BF16 weights, config keys this project does not model, side files. */
  private Path initFolder(TrainConfig c) throws Exception {
    Path dir = tmp.resolve("hub-model");
    try (WordLevelTokenizer tok = TinyRuns.tokenizer()) {
      TransformerLm m = ScratchModel.create(c.model(), tok.vocabSize(), tok.eosId(), c.seed());
      m.save(dir);
      ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
      config.put("torch_dtype", "bfloat16").put("transformers_version", "4.46.0").put("pretraining_tp", 1);
      config.putObject("my_project").putArray("kept").add(1).add("two");
      Files.writeString(dir.resolve("config.json"), config.toPrettyString());
      tok.save(dir.resolve("tokenizer.json"));
      Files.writeString(dir.resolve("generation_config.json"), "{\"temperature\": 0.6, \"top_p\": 0.9}\n");
      Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ messages }}\"}\n");
      Files.writeString(dir.resolve("special_tokens_map.json"), "{\"eos_token\": \"<|eos|>\"}\n");
      Map<String, DType> bf16 = new LinkedHashMap<>();
      m.parameters().keySet().forEach(k -> bf16.put(k, DType.BF16));
      SafeTensors.write(dir.resolve(ModelWeights.SINGLE), m.parameters(), bf16);
    }
    return dir;
  }

  private static TransformerLm train(TrainConfig c, TransformerLm model, Path run) {
    try (WordLevelTokenizer tok = TinyRuns.tokenizer()) {
      assertTrue(new Trainer(c, tok, TinyRuns.sampler(c), run, new Trainer.Options(false, false, (s, n) -> false))
          .run(model).completed());
    }
    return model;
  }

  @Test
  void f32FinalIsShardedKeepsEveryInputKeyAndReloadsWithIdenticalLogits() throws Exception {
    TrainConfig c = TinyRuns.config("llama", "ipo", "sft.steps=1", "fspo.steps=2", "save.dtype=f32",
        "save.max_shard_size=20KB");
    Path init = initFolder(c);
    Path run = tmp.resolve("run");
    TransformerLm trained = train(c, Models.load(init), run);
    Path fin = run.resolve("final");
    assertTrue(Files.exists(fin.resolve(ModelWeights.INDEX)), "sharded above 20KB");
    TransformerLm back = Models.load(fin);
    assertEquals(trained.parameters(), back.parameters());
    assertEquals(trained.logits(batch()), back.logits(batch()));
    ObjectNode in = (ObjectNode) JSON.readTree(init.resolve("config.json").toFile());
    ObjectNode out = (ObjectNode) JSON.readTree(fin.resolve("config.json").toFile());
    assertEquals(in.size(), out.size(), "no key added or dropped: " + out);
    for (Iterator<String> keys = in.fieldNames(); keys.hasNext(); ) {
      String k = keys.next();
      assertEquals(k.equals("torch_dtype") ? JSON.valueToTree("float32") : in.get(k), out.get(k), k);
    }
    for (String f : List.of("generation_config.json", "tokenizer_config.json", "special_tokens_map.json",
        "tokenizer.json")) {
      assertArrayEquals(Files.readAllBytes(init.resolve(f)), Files.readAllBytes(fin.resolve(f)), f);
    }
    assertTrue(Files.exists(run.resolve("sft").resolve(ModelWeights.INDEX)), "sft/, the reference, is sharded too");
    try (TrainedRun opened = TrainedRun.open(run)) { // eval opens a sharded final/ and sft/
      assertEquals(trained.logits(batch()), opened.policy().logits(batch()));
    }
  }

  @Test
  void autoFinalKeepsTheInputsBf16AndConfigAsIs() throws Exception {
    TrainConfig c = TinyRuns.config("llama", "ipo", "sft.steps=1", "fspo.steps=2");
    Path init = initFolder(c);
    Path run = tmp.resolve("run");
    TransformerLm trained = train(c, Models.load(init), run);
    Path fin = run.resolve("final");
    LinkedHashMap<String, SafeTensors.Tensor> saved = SafeTensors.read(fin.resolve(ModelWeights.SINGLE));
    assertEquals(trained.parameters().keySet(), saved.keySet());
    for (Map.Entry<String, INDArray> p : trained.parameters().entrySet()) {
      assertEquals(DType.BF16, saved.get(p.getKey()).dtype(), p.getKey());
      float[] want = p.getValue().dup().reshape(p.getValue().length()).toFloatVector();
      for (int i = 0; i < want.length; i++) want[i] = Float.intBitsToFloat((bf16(want[i]) & 0xffff) << 16);
      assertArrayEquals(want, saved.get(p.getKey()).array().dup().reshape(want.length).toFloatVector(), p.getKey());
    }
    assertEquals(JSON.readTree(init.resolve("config.json").toFile()), JSON.readTree(fin.resolve("config.json").toFile()));
    for (String f : SIDE_FILES) assertArrayEquals(Files.readAllBytes(init.resolve(f)), Files.readAllBytes(fin.resolve(f)));
    // init/ is the input as it came (BF16, bit for bit); sft/, the in-run reference, is exact F32
    assertArrayEquals(Files.readAllBytes(init.resolve(ModelWeights.SINGLE)),
        Files.readAllBytes(run.resolve("init").resolve(ModelWeights.SINGLE)));
    SafeTensors.read(run.resolve("sft").resolve(ModelWeights.SINGLE)).forEach((k, t) -> assertEquals(DType.F32,
        t.dtype(), k));
  }

  /** bfloat16 by hand: round the dropped 16 bits to nearest, ties to even (no NaN among trained weights). */
  private static int bf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    int lower = bits & 0xffff, upper = bits >>> 16;
    if (lower > 0x8000 || (lower == 0x8000 && (upper & 1) == 1)) upper++;
    return upper;
  }
}
