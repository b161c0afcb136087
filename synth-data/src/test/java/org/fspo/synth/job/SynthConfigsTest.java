package org.fspo.synth.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.fspo.synth.llm.LlmConfig;
import org.fspo.synth.procedural.ProceduralConfig;
import org.fspo.synth.stage.LlmPipelineConfig;
import org.fspo.synth.stage.Templates;
import org.junit.jupiter.api.Test;

class SynthConfigsTest {
  private static final Path CONF = Path.of("..", "conf");

  @Test
  void theShippedConfigsLoadAndTheProceduralOneEqualsTheDefaults() {
    assertEquals(SynthConfig.defaults(), SynthConfigs.load(CONF.resolve("synth-procedural.yaml"), List.of()));
    SynthConfig reviews = SynthConfigs.load(CONF.resolve("reviews.yaml"), List.of());
    assertEquals("llm", reviews.generator());
    assertEquals(List.of("positive", "negative", "mixed"), reviews.pipeline().traits().get("sentiment"));
    assertEquals(2, reviews.pipeline().traits().size(), "a file's traits replace the defaults whole");
    assertEquals(java.util.Map.of("num_ctx", 8192), reviews.llm().extraBody().get("options"));
    assertEquals(4, SynthConfigs.load(CONF.resolve("roleplay.yaml"), List.of()).pipeline().traits().size());
    assertEquals(2, SynthConfigs.load(CONF.resolve("elix.yaml"), List.of()).pipeline().traits().size());
  }

  @Test
  void templatesResolveAgainstTheConfigFilesFolderFromAnyWorkingDirectory() {
    // The tests run in synth-data/, not the repository root: conf/templates/... from here does not exist.
    for (String domain : List.of("reviews", "elix", "roleplay")) {
      String templates = SynthConfigs.load(CONF.resolve(domain + ".yaml"), List.of()).pipeline().templates();
      assertEquals(CONF.resolve("templates").resolve(domain).toString(), templates);
      assertEquals(Templates.NAMES.size(), Templates.load(Path.of(templates)).size(), templates);
    }
  }

  @Test
  void setOverridesAndStrictKeys() {
    SynthConfig config = SynthConfigs.load(CONF.resolve("synth-procedural.yaml"),
        List.of("synth.num_users=10", "synth.procedural.attributes=[tone, length]"));
    assertEquals(10, config.numUsers());
    assertEquals(List.of("tone", "length"), config.procedural().attributes());
    FspoUserException unknown = assertThrows(FspoUserException.class,
        () -> SynthConfigs.load(CONF.resolve("synth-procedural.yaml"), List.of("synth.num_userz=10")));
    assertTrue(unknown.getMessage().contains("num_userz"), unknown.getMessage());
  }

  @Test
  void theBenchUsesTheGeneralSetting() {
    // issue 11: all 5 attributes, 2-3 of them mattering to each user, pairs differing in 1-3 attributes
    ProceduralConfig general = SynthConfigs.load(CONF.resolve("bench-personalization.yaml"), List.of()).procedural();
    assertEquals(5, general.enabled().size());
    assertEquals(List.of(2, 3), List.of(general.minRelevantAttributes(), general.maxRelevantAttributes()));
    assertEquals(List.of(1, 3), List.of(general.minDiffAttributes(), general.maxDiffAttributes()));
  }

  @Test
  void everyConfigKeyIsCommentedInTheShippedFiles() throws IOException {
    String procedural = Files.readString(CONF.resolve("synth-procedural.yaml"));
    String reviews = Files.readString(CONF.resolve("reviews.yaml"));
    for (Class<?> type : List.of(SynthConfig.class, ProceduralConfig.class)) {
      assertAllKeysCommented(type, procedural);
    }
    for (Class<?> type : List.of(SynthConfig.class, LlmConfig.class, LlmPipelineConfig.class)) {
      assertAllKeysCommented(type, reviews);
    }
  }

  private static void assertAllKeysCommented(Class<?> type, String yaml) {
    List<String> lines = yaml.lines().toList();
    for (RecordComponent component : type.getRecordComponents()) {
      String key = component.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
      int at = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).strip().startsWith(key + ":")) {
          at = i;
          break;
        }
      }
      if (key.equals("procedural") && yaml.contains("generator: llm") || (key.equals("llm") || key.equals("pipeline"))
          && !yaml.contains("generator: llm")) {
        continue; // each file documents the sections its generator uses
      }
      assertTrue(at > 0, type.getSimpleName() + "." + key + " is missing from the config file");
      assertTrue(lines.get(at - 1).strip().startsWith("#"), type.getSimpleName() + "." + key + " has no comment");
    }
  }
}
