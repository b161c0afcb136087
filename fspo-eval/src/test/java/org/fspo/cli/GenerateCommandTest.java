package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fspo generate on local[2] with a tiny trained run: every input row ends up in responses/ or quarantine/ with the
 * expected reason, the output does not depend on the partitioning, a rerun after a lost chunk resumes without
 * duplicates, and a folder the job did not write is refused.
 */
class GenerateCommandTest {
  @TempDir static Path dir;
  static Path store, run, questions;

  @BeforeAll
  static void trainTinyRunAndGenerate() throws Exception {
    List<String> rows = new ArrayList<>();
    for (int u = 0; u < 4; u++) {
      for (int q = 0; q < (u == 3 ? 2 : 4); q++) { // u3 has only two pairs
        rows.add("{\"user_id\": \"u" + u + "\", \"prompt\": \"Tell me about topic " + q + "\", \"chosen\": "
            + "\"a warm answer " + q + "\", \"rejected\": \"a cold answer " + q + "\"}");
      }
    }
    Path input = Files.write(dir.resolve("pairs.jsonl"), rows);
    store = dir.resolve("store");
    CliRun imported = CliRun.of("import", "--master", "local[1]", "--input", input.toString(), "--out",
        store.toString(), "--test-fraction", "0");
    assertEquals(0, imported.exitCode(), imported.err());
    run = dir.resolve("run");
    List<String> args = new ArrayList<>(List.of("train", "--master", "local[1]", "--episodes", store.toString(),
        "--out", run.toString()));
    args.addAll(TrainCommandTest.TINY);
    CliRun trained = CliRun.of(args.toArray(String[]::new));
    assertEquals(0, trained.exitCode(), trained.err());
    questions = Files.write(dir.resolve("questions.jsonl"), List.of(
        "{\"user_id\": \"u0\", \"question\": \"Tell me about topic 9\"}",       // 4 pairs: answered
        "{\"user_id\": \"u3\", \"question\": \"Tell me about topic 0\"}",       // its own pair is no shot: 1 left
        "{\"user_id\": \"u9\", \"question\": \"Tell me about topic 1\"}",       // unknown_user
        "{\"user_id\": \"u2\"}",                                                // missing_field
        "{not json",                                                            // invalid_json
        "{\"user_id\": \"u2\", \"question\": \"Tell me about topic 7\", \"question_id\": \"q7\"}"));
    baseline = dir.resolve("baseline");
    CliRun first = generate(baseline, "--partitions", "1", "--chunk-rows", "2");
    assertEquals(0, first.exitCode(), first.err());
    assertTrue(first.out().contains("6 rows -> 2 responses + 4 quarantined (3 chunks, 0 already done)"), first.out());
  }

  static Path baseline;

  private static CliRun generate(Path out, String... more) {
    List<String> args = new ArrayList<>(List.of("generate", "--master", "local[2]", "--run", run.toString(),
        "--episodes", store.toString(), "--questions", questions.toString(), "--shots", "2", "--out",
        out.toString()));
    args.addAll(List.of(more));
    if (!args.contains("--max-tokens")) args.addAll(List.of("--max-tokens", "6"));
    return CliRun.of(args.toArray(String[]::new));
  }

  /** row_id -> the row's columns that do not depend on when it ran (created_at dropped). */
  private static Map<Long, String> table(Path out, String name) {
    SparkSession spark = SparkSessions.start("read", "local[1]", false);
    Map<Long, String> rows = new TreeMap<>();
    for (Row r : spark.read().parquet(out.resolve(name).toString()).drop("created_at", "chunk").collectAsList()) {
      Long rowId = r.getLong(r.fieldIndex("row_id"));
      assertTrue(rows.put(rowId, r.mkString("|")) == null, "row " + rowId + " twice in " + name);
    }
    return rows;
  }

  @Test
  void everyRowIsAnsweredOrQuarantinedWhateverThePartitioning() {
    Map<Long, String> responses = table(baseline, "responses"), quarantine = table(baseline, "quarantine");
    assertEquals(List.of(0L, 5L), new ArrayList<>(responses.keySet()));
    Map<Long, String> reasons = quarantine.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
        e -> Stream.of("too_few_pairs", "unknown_user", "missing_field", "invalid_json")
            .filter(e.getValue()::contains).findFirst().orElse("?"), (x, y) -> x, TreeMap::new));
    assertEquals(Map.of(1L, "too_few_pairs", 2L, "unknown_user", 3L, "missing_field", 4L, "invalid_json"), reasons);
    assertTrue(responses.get(5L).contains("|q7|"), responses.get(5L));

    Path three = dir.resolve("three");
    CliRun b = generate(three, "--partitions", "3", "--chunk-rows", "2");
    assertEquals(0, b.exitCode(), b.err());
    assertEquals(responses, table(three, "responses"));
    assertEquals(quarantine, table(three, "quarantine"));
  }

  @Test
  void aRerunAfterALostChunkResumesWithoutDuplicates() throws Exception {
    Path resumed = dir.resolve("resumed");
    copyTree(baseline, resumed);
    // a crash after chunk 1's quarantine was published but before its responses were
    deleteTree(resumed.resolve("responses").resolve("chunk=1"));
    CliRun again = generate(resumed, "--partitions", "1", "--chunk-rows", "2");
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.out().contains("(3 chunks, 2 already done)"), again.out());
    assertEquals(table(baseline, "responses"), table(resumed, "responses"));
    assertEquals(table(baseline, "quarantine"), table(resumed, "quarantine"));
    CliRun changed = generate(resumed, "--partitions", "1", "--chunk-rows", "2", "--seed", "1");
    assertEquals(FspoUserException.CANT_CREATE, changed.exitCode(), changed.err());
    assertTrue(changed.err().contains("different generate job"), changed.err());
  }

  @Test
  void promptsThatLeaveNoRoomAreQuarantinedAndForeignFoldersRefused() throws Exception {
    Path out = dir.resolve("long");
    CliRun tooLong = generate(out, "--max-tokens", "127");
    assertEquals(0, tooLong.exitCode(), tooLong.err());
    assertEquals(2, table(out, "quarantine").values().stream().filter(v -> v.contains("prompt_too_long")).count());

    Path mine = Files.createDirectories(dir.resolve("mine"));
    Files.writeString(mine.resolve("notes.txt"), "keep me");
    CliRun refused = generate(mine);
    assertEquals(FspoUserException.CANT_CREATE, refused.exitCode());
    assertEquals(1, refused.errLines().size(), refused.err());
    assertTrue(refused.err().contains("is not an fspo generate output"), refused.err());
    assertEquals("keep me", Files.readString(mine.resolve("notes.txt")));
    try (Stream<Path> s = Files.list(mine)) {
      assertEquals(1, s.count());
    }
  }

  /**
   * Beam search, the n-gram ban and the penalties reach the executors (the settings travel as plain values and are
   * rebuilt there) and are recorded per row; beam search with a temperature or with penalties is refused in one line
   * before Spark starts.
   */
  @Test
  void beamSearchSettingsAreUsedAndRecorded() {
    Path beams = dir.resolve("beams");
    CliRun b = generate(beams, "--temperature", "0", "--num-beams", "3", "--no-repeat-ngram-size", "2");
    assertEquals(0, b.exitCode(), b.err());
    SparkSession spark = SparkSessions.start("read", "local[1]", false);
    for (Row r : spark.read().parquet(beams.resolve("responses").toString()).collectAsList()) {
      assertEquals(3, r.getInt(r.fieldIndex("num_beams")));
      assertEquals(2, r.getInt(r.fieldIndex("no_repeat_ngram_size")));
    }
    CliRun penalised = generate(dir.resolve("penalised"), "--presence-penalty", "0.5", "--frequency-penalty", "-0.25");
    assertEquals(0, penalised.exitCode(), penalised.err());
    spark = SparkSessions.start("read", "local[1]", false); // the job stopped the one above
    for (Row r : spark.read().parquet(dir.resolve("penalised/responses").toString()).collectAsList()) {
      assertEquals(0.5, r.getDouble(r.fieldIndex("presence_penalty")), 0.0);
      assertEquals(-0.25, r.getDouble(r.fieldIndex("frequency_penalty")), 0.0);
    }
    CliRun beamPenalised = generate(dir.resolve("beam-penalised"), "--temperature", "0", "--num-beams", "3",
        "--presence-penalty", "0.5");
    assertEquals(FspoUserException.USAGE, beamPenalised.exitCode());
    assertEquals(1, beamPenalised.errLines().size(), beamPenalised.err());
    assertTrue(beamPenalised.err().contains("not to beam search"), beamPenalised.err());
    CliRun sampled = generate(dir.resolve("sampled"), "--num-beams", "3");
    assertEquals(FspoUserException.USAGE, sampled.exitCode());
    assertEquals(1, sampled.errLines().size(), sampled.err());
    assertTrue(sampled.err().contains("generate.num_beams 3 is beam search, which is deterministic: set "
        + "generate.temperature to 0 (beam sampling is not supported), or num_beams to 1"), sampled.err());
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path f : walk.toList()) Files.copy(f, to.resolve(from.relativize(f).toString()));
    }
  }

  private static void deleteTree(Path p) throws Exception {
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
    }
  }
}
