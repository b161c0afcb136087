package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.model.Models;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.lora.LoraAdapters;
import org.fspo.train.model.lora.LoraConfig;
import org.fspo.train.model.lora.PeftFiles;
import org.fspo.train.tokenizer.WordLevelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** --init BASE --init-adapter ADAPTER, and --init ADAPTER naming its base: training starts from base + adapter merged. */
class InitModelTest {
  @TempDir Path tmp;

  /** A tiny llama base folder with the tiny runs' tokenizer, and a non-zero adapter on it saved naming baseName. */
  Path[] baseAndAdapter(TrainConfig c, String baseName) {
    Path base = tmp.resolve("base"), adapter = tmp.resolve("adapter");
    TransformerLm model = (TransformerLm) TrainerTest.fresh(c);
    model.save(base);
    try (WordLevelTokenizer tok = TinyRuns.tokenizer()) {
      tok.save(base.resolve("tokenizer.json"));
    }
    LoraAdapters.init(model, LoraConfig.of(2, 4, false, List.of("q_proj", "down_proj")), 3).parameters().values()
        .forEach(p -> p.addi(0.05)); // B != 0: the adapter changes the model
    LoraAdapters.save(model, adapter, baseName);
    return new Path[] {base, adapter};
  }

  @Test
  void trainingStartsFromBasePlusAdapterMerged() {
    TrainConfig c = TinyRuns.config("llama", "ipo");
    Path[] ba = baseAndAdapter(c, null);
    Map<String, INDArray> want = LoraAdapters.merge(LoraAdapters.apply(Models.load(ba[0]), ba[1])).weights();
    Map<String, INDArray> base = Models.load(ba[0]).weights();
    Path run = tmp.resolve("run");
    TrainJob.run(c, TinyRuns.pairs(), run, ba[0], ba[1], TrainerTest.quiet(false, (s, n) -> true),
        new PrintWriter(Writer.nullWriter()));
    Map<String, INDArray> init = SafeTensors.readArrays(run.resolve("init/model.safetensors"));
    assertEquals(want.keySet(), init.keySet());
    want.forEach((k, v) -> assertEquals(v, init.get(k), "init/ = base + adapter merged: " + k));
    assertTrue(!base.get("model.layers.0.self_attn.q_proj.weight").equals(init.get(
        "model.layers.0.self_attn.q_proj.weight")), "the adapter changed q_proj");
    assertEquals(base.get("model.layers.0.self_attn.k_proj.weight"),
        init.get("model.layers.0.self_attn.k_proj.weight"), "k_proj is not targeted");
  }

  @Test
  void anAdapterFolderNamingALocalBaseIsEnoughAndAHubIdIsOneLine() throws Exception {
    TrainConfig c = TinyRuns.config("llama", "ipo");
    Path[] ba = baseAndAdapter(c, tmp.resolve("base").toString());
    InitModel m = InitModel.resolve(ba[1], null);
    assertEquals(new InitModel(tmp.resolve("base"), ba[1]), m);
    assertEquals(ba[0], m.tokenizerDir(), "the adapter has no tokenizer.json: the base's");
    Path cfg = ba[1].resolve(PeftFiles.CONFIG);
    Files.writeString(cfg, Files.readString(cfg).replace(tmp.resolve("base").toString(), "meta-llama/Llama-3.2-1B"));
    FspoUserException e = assertThrows(FspoUserException.class, () -> InitModel.resolve(ba[1], null));
    assertEquals(FspoUserException.NO_INPUT, e.exitCode());
    assertTrue(e.getMessage().contains("'meta-llama/Llama-3.2-1B' is not a local model folder")
        && e.getMessage().contains("--init-adapter"), e.getMessage());
    e = assertThrows(FspoUserException.class, () -> TrainJob.run(c, TinyRuns.pairs(), tmp.resolve("r"), null, ba[1],
        TrainerTest.quiet(false, (s, n) -> true), new PrintWriter(Writer.nullWriter())));
    assertEquals(FspoUserException.USAGE, e.exitCode());
  }
}
