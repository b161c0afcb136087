package org.fspo.eval.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.fspo.core.FspoUserException;
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
    for (var component : JudgeConfig.class.getRecordComponents()) {
      String key = component.getAccessor().getAnnotation(JsonProperty.class).value();
      assertTrue(Pattern.compile("#[^\\n]*\\n(\\s*#[^\\n]*\\n)*\\s+" + key + ":").matcher(text).find(),
          "conf/judge.yaml: key judge." + key + " is missing or has no comment above it");
    }
  }

  @Test
  void fileValuesOverrideDefaultsAndMistakesAreOneLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("j.yaml");
    Files.writeString(file, "judge:\n  model: llama3\n  top_logprobs: 3\n");
    JudgeConfig c = JudgeConfig.load(file);
    assertEquals("llama3", c.model());
    assertEquals(3, c.topLogprobs());
    assertEquals(JudgeConfig.defaults().baseUrl(), c.baseUrl());

    Files.writeString(file, "judge:\n  modle: llama3\n");
    FspoUserException unknown = assertThrows(FspoUserException.class, () -> JudgeConfig.load(file));
    assertEquals(file + ": unknown key judge.modle; see conf/judge.yaml for the keys", unknown.getMessage());

    Files.writeString(file, "judge:\n  top_logprobs: 50\n");
    FspoUserException range = assertThrows(FspoUserException.class, () -> JudgeConfig.load(file));
    assertEquals(file + ": judge.top_logprobs must be in 1..20, got 50", range.getMessage());
    assertEquals(FspoUserException.CONFIG, range.exitCode());
  }
}
