package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCommandTest {
  @TempDir Path dir;

  private Path input(String name, String... lines) throws IOException {
    return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
  }

  private static String row(String user, String prompt) {
    return "{\"user_id\": \"" + user + "\", \"prompt\": \"" + prompt + "\", \"chosen\": \"a\", \"rejected\": \"b\"}";
  }

  private CliRun importInto(Path out, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("import", "--master", "local[2]", "--out", out.toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void importsPrintsTheSummaryAndGuardsTheFolder() throws IOException {
    Path good = input("good.jsonl", row("u1", "q1"), row("u1", "q2"), row("u2", "q1"), "{oops", row("u1", "q1"));
    Path out = dir.resolve("store");
    CliRun run = importInto(out, "--input", good.toString(), "--test-fraction", "0", "--seed", "3");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(List.of(
        "rows read    5 from 1 file(s)",
        "imported     3 pairs of 2 users (train 2, test 0)",
        "quarantined  2",
        "  invalid_json         1",
        "  duplicate_pair       1",
        "store        " + out), run.outLines());
    assertEquals("", run.err());

    CliRun again = importInto(out, "--input", good.toString(), "--test-fraction", "0", "--seed", "3");
    assertEquals(0, again.exitCode());
    assertTrue(again.outLines().get(0).endsWith("already holds this import (same inputs and settings); nothing written"),
        again.out());

    CliRun otherSeed = importInto(out, "--input", good.toString(), "--test-fraction", "0", "--seed", "4");
    assertEquals(FspoUserException.CANT_CREATE, otherSeed.exitCode());
    assertEquals(1, otherSeed.errLines().size(), otherSeed.err());
    assertTrue(otherSeed.err().contains("--overwrite"), otherSeed.err());
  }

  @Test
  void badInputGivesExactlyOneLine() {
    CliRun missing = importInto(dir.resolve("s"), "--input", dir.resolve("none.jsonl").toString());
    assertEquals(FspoUserException.NO_INPUT, missing.exitCode());
    assertEquals(List.of("fspo import: input " + dir.resolve("none.jsonl") + " not found; check the --input path"),
        missing.errLines());
    CliRun fraction = importInto(dir.resolve("s"), "--input", "x.jsonl", "--test-fraction", "1.5");
    assertEquals(FspoUserException.USAGE, fraction.exitCode());
    assertEquals(List.of("fspo import: --test-fraction must be in [0, 1], got 1.5"), fraction.errLines());
    CliRun format = importInto(dir.resolve("s"), "--input", "x.csv");
    assertEquals(FspoUserException.USAGE, format.exitCode());
    assertEquals(1, format.errLines().size(), format.err());
  }

  @Test
  void unreadableInputsAreRefusedWithOneLineNamingTheFile() throws IOException {
    Path notGzip = input("plain.jsonl.gz", row("u1", "q1"));
    Path textAsParquet = input("rows.parquet", row("u1", "q1"));
    Path empty = input("empty.jsonl", "", "  ");
    Path folder = Files.createDirectories(dir.resolve("folder"));
    Files.writeString(folder.resolve("notes.txt"), "not data");
    for (Path bad : List.of(notGzip, textAsParquet, empty, folder)) {
      Path out = dir.resolve("store-" + bad.getFileName());
      CliRun run = importInto(out, "--input", bad.toString());
      assertEquals(FspoUserException.DATA, run.exitCode(), run.err());
      assertEquals(1, run.errLines().size(), run.err());
      assertTrue(run.err().startsWith("fspo import: ") && run.err().contains(bad.toString()), run.err());
      assertEquals("", run.out());
      assertTrue(!Files.exists(out), "nothing written for " + bad);
    }
  }

  @Test
  void aCutOffGzipIsImportedUpToWhereItStops() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      text.append(row("u" + (i % 4), "question " + i + " " + Integer.toHexString(i * 7919))).append('\n');
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (var gzip = new java.util.zip.GZIPOutputStream(bytes)) {
      gzip.write(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    byte[] whole = bytes.toByteArray();
    Path cut = Files.write(dir.resolve("cut.jsonl.gz"), java.util.Arrays.copyOf(whole, whole.length / 2));
    CliRun run = importInto(dir.resolve("store"), "--input", cut.toString(), "--test-fraction", "0");
    assertEquals(0, run.exitCode(), run.err());
    List<String> lines = run.outLines();
    long read = Long.parseLong(lines.get(0).replaceAll("rows read +(\\d+) .*", "$1"));
    long imported = Long.parseLong(lines.get(1).replaceAll("imported +(\\d+) .*", "$1"));
    assertTrue(read > 1 && read < 30, run.out());
    assertEquals(read - 1, imported, run.out());
    assertTrue(lines.contains("quarantined  1") && lines.contains("  truncated_input      1"), run.out());
  }
}
