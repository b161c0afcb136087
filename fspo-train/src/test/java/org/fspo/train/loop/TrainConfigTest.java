package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainConfigTest {
  static Path confFile() {
    Path p = Path.of("conf/train.yaml");
    return Files.exists(p) ? p : Path.of("../conf/train.yaml");
  }

  @Test
  void confTrainYamlStatesEveryDefaultWithAComment() throws Exception {
    assertEquals(TrainConfig.defaults(), TrainConfig.load(confFile(), List.of()), "the file's values are the defaults");
    JsonNode defaults = new ObjectMapper().readTree(
        new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(TrainConfig.defaults().toYaml()).toString());
    List<String> lines = Files.readAllLines(confFile());
    List<String> keys = new ArrayList<>();
    collect(defaults, "", keys);
    for (String key : keys) {
      String leaf = key.substring(key.lastIndexOf('.') + 1);
      int at = -1;
      for (int i = 0; i < lines.size(); i++) if (lines.get(i).trim().startsWith(leaf + ":")) at = i;
      assertTrue(at > 0, key + " is in conf/train.yaml");
      assertTrue(lines.get(at - 1).trim().startsWith("#"), key + " has a comment line above it");
    }
  }

  private static void collect(JsonNode n, String prefix, List<String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isObject()) collect(e.getValue(), prefix + e.getKey() + ".", out);
      else out.add(prefix + e.getKey());
    }
  }

  @Test
  void setOverridesAndErrorsNameTheKey(@TempDir Path tmp) throws Exception {
    TrainConfig c = TrainConfig.load(confFile(), List.of("fspo.beta=0.1", "train.optim.name=rmsprop"));
    assertEquals(0.1, c.fspo().beta());
    assertEquals("rmsprop", c.optim().name());
    assertEquals(TrainConfig.defaults().sft(), c.sft());
    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "train:\n  optim:\n    nmae: adamw\n");
    FspoUserException e = assertThrows(FspoUserException.class, () -> TrainConfig.load(bad, List.of()));
    assertTrue(e.getMessage().contains("train.optim.nmae"), e.getMessage());
    Files.writeString(bad, "train:\n  fspo:\n    loss: kto\n");
    e = assertThrows(FspoUserException.class, () -> TrainConfig.load(bad, List.of()));
    assertTrue(e.getMessage().contains("train.fspo.loss must be ipo or dpo, got kto"), e.getMessage());
    e = assertThrows(FspoUserException.class, () -> TrainConfig.load(null, List.of("fspo.rpo_alpha=-1")));
    assertTrue(e.getMessage().contains("train.fspo.rpo_alpha must be non-negative, got -1.0"), e.getMessage());
    e = assertThrows(FspoUserException.class, () -> TrainConfig.load(null, List.of("optim.ema_decay=1")));
    assertTrue(e.getMessage().contains("train.optim.ema_decay must be in [0, 1), got 1.0"), e.getMessage());
    assertEquals(0.5, TrainConfig.load(null, List.of("fspo.rpo_alpha=0.5")).fspo().rpoAlpha());
    Files.writeString(bad, "train:\n  seed: many\n");
    e = assertThrows(FspoUserException.class, () -> TrainConfig.load(bad, List.of()));
    assertTrue(e.getMessage().contains("train.seed"), e.getMessage());
    e = assertThrows(FspoUserException.class, () -> TrainConfig.load(null, List.of("model.width=3")));
    assertTrue(e.getMessage().contains("train.model.width"), e.getMessage());
    Files.writeString(bad, "trian:\n  seed: 1\n");
    e = assertThrows(FspoUserException.class, () -> TrainConfig.load(bad, List.of()));
    assertTrue(e.getMessage().contains("unknown section 'trian'"), e.getMessage());
    Files.writeString(bad, "eval:\n  shots: [1]\ntrain:\n  data:\n    shots: 2-8\n");
    assertEquals(org.fspo.core.episode.ShotSpec.range(2, 8), TrainConfig.load(bad, List.of()).data().shots(),
        "other sections of a project config are left to their readers");
  }
}
