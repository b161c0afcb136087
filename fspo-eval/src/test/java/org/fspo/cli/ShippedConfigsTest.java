package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.fspo.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;

/**
 * Every shipped conf/*.yaml loads, each of its sections into the record the commands read it into, under the strict
 * loader (no fraction for an integer, no key given twice, no null for a key that needs a value), from fspo-eval/
 * rather than the repository root (paths in the files are relative to the files).
 */
class ShippedConfigsTest {
  @Test
  void everyShippedConfigLoadsEverySection() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(Path.of("..", "conf"))) {
      files = list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(files.size() >= 5, files.toString());
    int sections = 0;
    for (Path file : files) {
      JsonNode tree = ConfigLoader.yaml().readTree(file.toFile());
      for (String section : SetExamplesTest.SECTION_TYPES.keySet()) {
        if (tree.has(section)) {
          Class<?> type = SetExamplesTest.SECTION_TYPES.get(section);
          assertDoesNotThrow(() -> ConfigLoader.load(file, List.of(), ConfigMixin.SECTIONS).section(section, type),
              file + " " + section);
          sections++;
        }
      }
    }
    assertTrue(sections >= files.size(), "sections read: " + sections);
  }
}
