package org.fspo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/bench/accuracy_by_attribute refuses wrong folders in one line, before it builds anything. */
class AccuracyByAttributeScriptTest {
  private static final Path SCRIPT =
      Path.of("..", "..", "scripts", "bench", "accuracy_by_attribute").toAbsolutePath().normalize();

  private static String[] run(Path out, Path report, Path store) throws Exception {
    Process p = new ProcessBuilder("bash", SCRIPT.toString(), out.toString(), report.toString(), store.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes()).strip();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new String[] {String.valueOf(p.exitValue()), output};
  }

  @Test
  void aFolderWithoutPairScoresIsNamed(@TempDir Path dir) throws Exception {
    String[] r = run(dir.resolve("out.json"), dir, dir);
    assertEquals("2", r[0]);
    assertEquals("accuracy_by_attribute: " + dir + " has no pair_scores.parquet; pass the --out folder of fspo eval",
        r[1]);
    assertFalse(Files.exists(dir.resolve("out.json")));
  }

  @Test
  void aFolderThatIsNotAStoreIsNamed(@TempDir Path dir) throws Exception {
    Path report = Files.createDirectories(dir.resolve("report/pair_scores.parquet")).getParent();
    Path store = Files.createDirectories(dir.resolve("store/preferences")).getParent(); // users/ missing
    String[] r = run(dir.resolve("out.json"), report, store);
    assertEquals("2", r[0]);
    assertEquals("accuracy_by_attribute: " + store + " is not an episode store (no preferences/ and users/); pass the"
        + " store the report was evaluated on", r[1]);
  }
}
