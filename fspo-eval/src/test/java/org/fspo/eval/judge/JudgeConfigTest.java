package org.fspo.eval.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.fspo.core.FspoUserException;
import org.fspo.synth.llm.LlmConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JudgeConfigTest {
  static final Path SHIPPED = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "conf", "judge.yaml");

  static Path shipped() {
    return Files.isRegularFile(SHIPPED) ? SHIPPED : Path.of("..", "conf", "judge.yaml");
  }

  @Test
  void theShippedFileEqualsTheDefaultsAndCommentsEveryKey() throws Exception {
    assertEquals(JudgeConfig.defaults(), JudgeConfig.load(shipped()));
    String text = Files.readString(shipped());
    for (Class<?> section : List.of(JudgeConfig.class, LlmConfig.class)) {
      for (var component : section.getRecordComponents()) {
        String key = component.getAccessor().getAnnotation(JsonProperty.class).value();
        assertTrue(Pattern.compile("#[^\\n]*\\n(\\s*#[^\\n]*\\n)*\\s+" + key + ":").matcher(text).find(),
            "conf/judge.yaml: key " + key + " is missing or has no comment above it");
      }
    }
  }

  @Test
  void fileValuesOverrideDefaultsAndMistakesAreOneLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("j.yaml");
    Files.writeString(file, "judge:\n  model: llama3\n  top_logprobs: 3\n  llm:\n    base_url: http://h:1/v1\n");
    JudgeConfig c = JudgeConfig.load(file);
    assertEquals("llama3", c.model());
    assertEquals(3, c.topLogprobs());
    assertEquals("http://h:1/v1", c.llm().baseUrl());
    assertEquals(LlmConfig.defaults().maxAttempts(), c.llm().maxAttempts()); // deep merge keeps sibling defaults
    assertEquals(java.util.Map.of("logprobs", true, "top_logprobs", 3), c.clientConfig().extraBody());

    Files.writeString(file, "judge:\n  llm:\n    bse_url: x\n");
    FspoUserException unknown = assertThrows(FspoUserException.class, () -> JudgeConfig.load(file));
    assertTrue(unknown.getMessage().startsWith(file + ": unknown key 'judge.llm.bse_url'"), unknown.getMessage());
    assertEquals(1, unknown.getMessage().lines().count());

    Files.writeString(file, "judge:\n  top_logprobs: 50\n");
    FspoUserException range = assertThrows(FspoUserException.class, () -> JudgeConfig.load(file));
    assertTrue(range.getMessage().startsWith(file.toString()) && range.getMessage().contains("judge.top_logprobs must be in 1..20, got 50"),
        range.getMessage());
    assertEquals(FspoUserException.CONFIG, range.exitCode());
  }
}
