package org.fspo.synth.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.QuarantineRecord;
import org.fspo.synth.store.EpisodeStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged, empty or mistaken inputs (issue 14 §3): a cut-off gzip keeps its complete lines and quarantines one
 * truncated_input row; every other unreadable input is refused with one line naming it (exit 65), and nothing is
 * written. The Parquet damage is made by hand from the format's layout: "PAR1", column chunks (each page starts with
 * a Thrift page header), the footer, its 4-byte little-endian length, "PAR1".
 */
class ImportCorruptInputTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("ImportCorruptInputTest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private ImportSummary run(Path input, Path out) {
    return ImportJob.run(spark, new ImportConfig(List.of(input.toString()), 0.0, 42, null), out.toString(), false);
  }

  /** Runs an import that must be refused: exit 65, one line, naming the input; and no store written. */
  private String refused(Path input, String named) {
    Path out = dir.resolve("refused-store");
    FspoUserException e = assertThrows(FspoUserException.class, () -> run(input, out));
    assertEquals(FspoUserException.DATA, e.exitCode(), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(e.getMessage().contains(named), e.getMessage());
    assertFalse(Files.exists(out.resolve("manifest.json")));
    return e.getMessage();
  }

  /** Line i of 40: distinct prompts and texts, so that gzip cannot shrink the file to a few bytes. */
  private static String rows(int n) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      out.append("{\"user_id\": \"user-").append(i % 7).append("\", \"prompt\": \"question number ").append(i)
          .append(" about ").append(Integer.toHexString(i * 7919)).append("\", \"chosen\": \"answer ")
          .append(i * 31).append("\", \"rejected\": \"reply ").append(i * 17).append("\"}\n");
    }
    return out.toString();
  }

  @Test
  void cutOffGzipKeepsTheCompleteLinesAndQuarantinesWhereReadingStopped() throws IOException {
    Path whole = ImportFiles.gzip(dir, "whole.jsonl.gz", rows(40));
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = Files.write(dir.resolve("cut.jsonl.gz"), Arrays.copyOf(bytes, bytes.length * 6 / 10));
    Path out = dir.resolve("store");
    ImportSummary summary = run(cut, out);

    // Invariants, not the reader's own arithmetic: the imported rows are a prefix of the file's lines, one row marks
    // the first line not read whole, and the counts add up.
    List<PreferencePair> pairs = EpisodeStore.loadPreferences(spark, out.toString(), null);
    int kept = pairs.size();
    assertTrue(kept > 0 && kept < 40, "kept " + kept);
    List<String> prompts = pairs.stream().map(PreferencePair::prompt).sorted().toList();
    List<String> expected = rows(kept).lines().map(l -> l.replaceAll(".*\"prompt\": \"([^\"]*)\".*", "$1"))
        .sorted().toList();
    assertEquals(expected, prompts);
    assertEquals(Map.of(ImportValidator.TRUNCATED_INPUT, 1L), nonZero(summary.quarantinedByReason()));
    assertEquals(kept + 1, summary.rowsRead());
    assertEquals(summary.rowsRead(), summary.imported() + summary.quarantined());
    QuarantineRecord stop = EpisodeStore.loadQuarantine(spark, out.toString()).get(0);
    assertEquals("line " + (kept + 1), stop.location());
    assertEquals(cut.toString(), stop.source());
    String nextLine = rows(kept + 1).lines().toList().get(kept);
    assertTrue(nextLine.startsWith(stop.raw()), stop.raw());
    assertTrue(stop.detail().startsWith("the gzip data ends early (the file is cut off) at byte " + bytes.length
        * 6 / 10 + " of " + bytes.length * 6 / 10), stop.detail());
    assertTrue(stop.detail().contains("line " + (kept + 1) + " is incomplete"), stop.detail());
  }

  @Test
  void notGzipDataNamedGzIsRefused() throws IOException {
    Path plain = ImportFiles.text(dir, "plain.jsonl.gz", rows(3));
    assertTrue(refused(plain, plain.toString()).contains("is not gzip data"));
  }

  @Test
  void gzipOrParquetNamedJsonlIsRefused() throws IOException {
    Path gzip = ImportFiles.gzip(dir, "packed.jsonl", rows(3));
    assertTrue(refused(gzip, gzip.toString()).contains("is gzip data, not plain JSONL; name it " + gzip + ".gz"));
    Path parquet = Files.copy(parquetFile("p.parquet"), dir.resolve("p.jsonl"));
    assertTrue(refused(parquet, parquet.toString()).contains("is a Parquet file, not JSONL"));
  }

  private Path parquetFile(String name) throws IOException {
    Path folder = ImportFiles.parquet(spark, dir.resolve("written-" + name));
    try (var files = Files.list(folder)) {
      Path part = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
      return Files.copy(part, dir.resolve(name));
    }
  }

  @Test
  void cutOffParquetIsRefused() throws IOException {
    Path file = parquetFile("cut.parquet");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    assertTrue(refused(file, file.toString()).contains("is not a readable Parquet file"));
  }

  @Test
  void parquetWithADamagedFooterIsRefused() throws IOException {
    Path file = parquetFile("footer.parquet");
    byte[] bytes = Files.readAllBytes(file);
    int footerLength = ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int footerStart = bytes.length - 8 - footerLength;
    Arrays.fill(bytes, footerStart, footerStart + footerLength / 2, (byte) 0x7f);
    Files.write(file, bytes);
    refused(file, file.toString());
  }

  @Test
  void parquetWithADamagedPageIsRefusedWhenRead() throws IOException {
    Path file = parquetFile("page.parquet");
    byte[] bytes = Files.readAllBytes(file);
    Arrays.fill(bytes, 4, 24, (byte) 0xff); // the first page header, right after the leading "PAR1"
    Files.write(file, bytes);
    assertTrue(refused(file, file.toString()).contains("cannot read"));
  }

  @Test
  void textNamedParquetIsRefused() throws IOException {
    Path file = ImportFiles.text(dir, "rows.parquet", rows(3));
    refused(file, file.toString());
  }

  @Test
  void emptyOrBlankInputIsRefused() throws IOException {
    Path empty = ImportFiles.text(dir, "empty.jsonl", "");
    assertTrue(refused(empty, empty.toString()).startsWith("no rows to import in " + empty));
    Path blank = ImportFiles.text(dir, "blank.jsonl", "\n   \n\t\n");
    assertTrue(refused(blank, blank.toString()).contains("only 3 blank line(s)"));
    Path emptyGz = ImportFiles.text(dir, "empty.jsonl.gz", "");
    refused(emptyGz, emptyGz.toString());
  }

  @Test
  void aFolderOfPartFilesIsReadAndAFolderWithoutThemIsRefused() throws IOException {
    Path written = ImportFiles.parquet(spark, dir.resolve("spark"));
    Path folder = Files.move(written, dir.resolve("exported"));
    ImportSummary summary = run(folder, dir.resolve("store"));
    assertEquals(3, summary.rowsRead());
    assertEquals(summary.rowsRead(), summary.imported() + summary.quarantined());

    Path notes = Files.createDirectories(dir.resolve("notes"));
    Files.writeString(notes.resolve("a.jsonl"), rows(2));
    String message = refused(notes, notes.toString());
    assertTrue(message.contains("without .parquet part files (it holds a.jsonl)"), message);
    assertTrue(message.contains(ImportInput.EXPECTED), message);
    assertTrue(refused(Files.createDirectories(dir.resolve("nothing")), "nothing").contains("is an empty folder"));
  }

  @Test
  void duplicateKeysAndLoneSurrogatesAreQuarantined() throws IOException {
    Path input = ImportFiles.text(dir, "odd.jsonl", String.join("\n",
        "{\"user_id\": \"u1\", \"prompt\": \"q1\", \"chosen\": \"a\", \"rejected\": \"b\"}",
        "{\"user_id\": \"u1\", \"prompt\": \"q2\", \"chosen\": \"a\", \"chosen\": \"c\", \"rejected\": \"b\"}",
        "{\"user_id\": \"u1\", \"prompt\": \"q3 \\ud800\", \"chosen\": \"a\", \"rejected\": \"b\"}",
        "{\"user_id\": \"u1\", \"prompt\": \"q4 \\ud83d\\ude00\", \"chosen\": \"a\", \"rejected\": \"b\"}") + "\n");
    Path out = dir.resolve("store");
    ImportSummary summary = run(input, out);
    assertEquals(4, summary.rowsRead());
    assertEquals(2, summary.imported());
    assertEquals(Map.of("duplicate_key", 1L, "invalid_unicode", 1L), nonZero(summary.quarantinedByReason()));
    for (QuarantineRecord q : EpisodeStore.loadQuarantine(spark, out.toString())) {
      if (q.reason().equals("duplicate_key")) {
        assertEquals("line 2", q.location());
        assertEquals("field 'chosen' appears more than once in the object; keep one", q.detail());
      } else {
        assertEquals("line 3", q.location());
        assertTrue(q.detail().startsWith("field 'prompt' has a lone UTF-16 surrogate \\ud800 at character 3"),
            q.detail());
      }
    }
  }

  private static Map<String, Long> nonZero(Map<String, Long> byReason) {
    Map<String, Long> out = new java.util.TreeMap<>();
    byReason.forEach((reason, count) -> {
      if (count > 0) {
        out.put(reason, count);
      }
    });
    return out;
  }
}
