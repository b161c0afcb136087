package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No command deletes or overwrites what fspo did not write: every command that writes a folder, pointed at a folder
 * of the user's files (notes.txt, sub/x), with --overwrite or --resume where it has them, exits 73 with one line
 * naming the folder and leaves every byte as it was; an input inside the output folder is refused the same way.
 */
class OutputFolderGuardTest {
  @TempDir Path dir;
  private Path mine;
  private Path input;
  private Map<String, String> before;

  @BeforeEach
  void userFiles() throws IOException {
    mine = Files.createDirectories(dir.resolve("mine").resolve("sub")).getParent();
    Files.writeString(mine.resolve("notes.txt"), "my notes\n");
    Files.writeString(mine.resolve("sub").resolve("x"), "x");
    input = Files.writeString(mine.resolve("prefs.jsonl"), row("u1", "q1") + "\n" + row("u1", "q2") + "\n"
        + row("u2", "q1") + "\n" + row("u2", "q2") + "\n");
    before = snapshot(mine);
  }

  private static String row(String user, String prompt) {
    return "{\"user_id\": \"" + user + "\", \"prompt\": \"" + prompt + "\", \"chosen\": \"a\", \"rejected\": \"b\"}";
  }

  /** Every file under {@code root} by relative path, with its bytes. */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(file).toString(), java.util.HexFormat.of().formatHex(Files.readAllBytes(file)));
      }
    }
    return files;
  }

  /** Exit 73, exactly one stderr line that names the folder and never suggests a flag, and nothing changed. */
  private void assertRefused(CliRun run, String expectedStart) throws IOException {
    assertEquals(FspoUserException.CANT_CREATE, run.exitCode(), run.err());
    assertEquals(1, run.errLines().size(), run.err());
    String line = run.errLines().get(0);
    assertTrue(line.startsWith(expectedStart), line);
    assertFalse(line.contains("pass --overwrite") || line.contains("pass --resume"), line);
    assertEquals(before, snapshot(mine), "the user's files survive byte for byte");
  }

  @Test
  void importNeverReplacesAUserFolderNorDeletesAnInputInsideIt() throws IOException {
    Path outside = Files.copy(input, dir.resolve("outside.jsonl"));
    assertRefused(CliRun.of("import", "--master", "local[1]", "--input", outside.toString(), "--out",
        mine.toString(), "--overwrite"), "fspo import: folder " + mine + " is not empty and is not an episode store");
    assertRefused(CliRun.of("import", "--master", "local[1]", "--input", input.toString(), "--out",
        mine.toString(), "--overwrite"), "fspo import: input " + input + " lies inside the output folder " + mine);
  }

  @Test
  void synthNeverReplacesAUserFolder() throws IOException {
    assertRefused(CliRun.of("synth", "--master", "local[1]", "--config",
        Path.of("..", "conf", "synth-procedural.yaml").toString(), "--out", mine.toString(), "--overwrite",
        "--set", "synth.num_users=4", "--set", "synth.pairs_per_user=2"),
        "fspo synth: folder " + mine + " is not empty and is not an episode store");
  }

  @Test
  void trainNeitherStartsNorResumesInAUserFolder() throws IOException {
    Path store = dir.resolve("store");
    CliRun imported = CliRun.of("import", "--master", "local[1]", "--input", input.toString(), "--out",
        store.toString(), "--test-fraction", "0");
    assertEquals(0, imported.exitCode(), imported.err());
    Files.writeString(mine.resolve("config.yaml"), "mine: true\n"); // looks a little like a run; is not one
    Files.writeString(mine.resolve("metrics.jsonl"), "{\"mine\": 1}\n");
    before = snapshot(mine);
    for (boolean resume : new boolean[] {true, false}) {
      List<String> args = new ArrayList<>(List.of("train", "--master", "local[1]", "--episodes", store.toString(),
          "--out", mine.toString()));
      args.addAll(TrainCommandTest.TINY);
      if (resume) {
        args.add("--resume");
      }
      assertRefused(CliRun.of(args.toArray(String[]::new)), "fspo train: --out " + mine + " is not empty and is not"
          + " an fspo train run (no fspo-output.json)");
    }
  }

  @Test
  void evalAndPipelineNeverWriteIntoAUserFolder() throws IOException {
    String config = Path.of("..", "conf", "demo.yaml").toString();
    assertRefused(CliRun.of("eval", "--master", "local[1]", "--config", config, "--run", dir.resolve("runs")
        .toString(), "--episodes", dir.resolve("store").toString(), "--out", mine.toString()),
        "fspo eval: --out " + mine + " is not empty and is not an fspo eval report");
    assertRefused(CliRun.of("eval", "--master", "local[1]", "--config", config, "--run", dir.resolve("runs")
        .toString(), "--episodes", mine.resolve("sub").toString(), "--out", mine.toString()),
        "fspo eval: input " + mine.resolve("sub") + " lies inside the output folder " + mine);
    assertRefused(CliRun.of("pipeline", "--master", "local[1]", "--config", config, "--out", mine.toString()),
        "fspo pipeline: --out " + mine + " is not empty and is not an fspo pipeline");
  }
}
