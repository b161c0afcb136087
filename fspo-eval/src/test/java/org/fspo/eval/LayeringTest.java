package org.fspo.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies inside fspo-eval point one way: metrics and judge sit below report and pipeline, so nothing in
 * metrics/ or judge/ may import them. And the chat message of the LLM judge is synth-data's, not a copy.
 */
class LayeringTest {
  private static final Path SRC = Path.of("src/main/java/org/fspo/eval");

  @Test
  void lowerLayersDoNotImportUpperOnes() throws IOException {
    List<String> offences = new ArrayList<>();
    for (String lower : List.of("metrics", "judge")) {
      try (Stream<Path> files = Files.list(SRC.resolve(lower))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          for (String line : Files.readAllLines(f)) {
            if (line.startsWith("import org.fspo.eval.report.") || line.startsWith("import org.fspo.eval.pipeline.")) {
              offences.add(lower + "/" + f.getFileName() + ": " + line);
            }
          }
        }
      }
    }
    assertTrue(Files.isDirectory(SRC.resolve("judge")), "run from the module root");
    assertEquals(List.of(), offences);
  }

  @Test
  void judgeUsesSynthsChatMessage() {
    assertTrue(Files.notExists(SRC.resolve("judge/ChatMessage.java")), "eval depends on synth-data: use its ChatMessage");
  }
}
