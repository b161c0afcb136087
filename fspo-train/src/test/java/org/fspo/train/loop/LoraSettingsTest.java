package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fspo.core.FspoUserException;
import org.fspo.core.config.ConfigLoader;
import org.fspo.train.model.lora.LoraConfig;
import org.junit.jupiter.api.Test;

class LoraSettingsTest {
  @Test
  void defaultsAndTheirPeftConfig() throws Exception {
    LoraSettings d = LoraSettings.defaults();
    assertEquals(false, d.enabled());
    LoraConfig c = d.toLoraConfig();
    assertEquals(16, c.r());
    assertEquals(2.0, c.scale());
    assertTrue(c.targets("model.layers.3.mlp.down_proj") && c.targets("transformer.h.0.attn.c_attn"));
    LoraConfig rs = new LoraSettings(true, 16, 32, true, 0, List.of("q_proj"), "f32").toLoraConfig();
    assertEquals(8.0, rs.scale()); // 32 / sqrt(16)
    assertTrue(rs.targets("model.layers.0.self_attn.q_proj") && !rs.targets("model.layers.0.self_attn.k_proj"));
    // the YAML block in LoraSettings' Javadoc binds to the defaults
    String yaml = "enabled: false\nrank: 16\nalpha: 32.0\nuse_rslora: false\ndropout: 0.0\n"
        + "target_modules: [all-linear]\n";
    assertEquals(d, ConfigLoader.yaml().readValue(yaml, LoraSettings.class));
    assertEquals(d, TrainConfig.load(TrainConfigTest.confFile(), List.of()).lora(), "conf/train.yaml's lora block");
  }

  @Test
  void confQwenLoraIsAnR16AllLinearOnePairConfig() {
    TrainConfig c = TrainConfig.load(TrainConfigTest.confFile().resolveSibling("qwen-lora.yaml"), List.of());
    assertEquals(new LoraSettings(true, 16, 32, false, 0, List.of(LoraConfig.ALL_LINEAR), "f32"), c.lora());
    assertEquals(512, c.model().maxSeqLen());
    assertEquals(1, c.optim().batchPairs());
  }

  @Test
  void badValuesAreOneLineErrorsNamingTheKey() {
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> new LoraSettings(true, 0, 32, false, 0, List.of("q_proj"), "f32"));
    assertEquals("train.lora.rank must be at least 1, got 0", e.getMessage());
    e = assertThrows(FspoUserException.class,
        () -> new LoraSettings(true, 8, 16, false, 1.0, List.of("q_proj"), "f32"));
    assertEquals("train.lora.dropout must be in [0, 1), got 1.0", e.getMessage());
    e = assertThrows(FspoUserException.class, () -> TrainConfig.load(null, List.of("lora.base_dtype=bf16")));
    assertTrue(e.getMessage().endsWith(LoraSettings.BF16_REFUSED), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
    assertEquals(FspoUserException.CONFIG, e.exitCode());
    e = assertThrows(FspoUserException.class, () -> TrainConfig.load(null, List.of("lora.base_dtype=f16")));
    assertTrue(e.getMessage().endsWith("train.lora.base_dtype must be f32, got f16"), e.getMessage());
    assertEquals(0.1, new LoraSettings(true, 8, 16, false, 0.1, List.of("q_proj"), "f32").toLoraConfig().loraDropout());
    e = assertThrows(FspoUserException.class, () -> new LoraSettings(true, 8, 16, false, 0, List.of(), "f32"));
    assertTrue(e.getMessage().startsWith("train.lora.target_modules must be a non-empty list"), e.getMessage());
    assertEquals(FspoUserException.CONFIG, e.exitCode());
  }
}
