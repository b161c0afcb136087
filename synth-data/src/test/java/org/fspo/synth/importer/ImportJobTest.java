package org.fspo.synth.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.QuarantineRecord;
import org.fspo.core.episode.Split;
import org.fspo.core.episode.StableHash;
import org.fspo.core.episode.UserRecord;
import org.fspo.synth.store.EpisodeStore;
import org.fspo.synth.store.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportJobTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("ImportJobTest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private ImportSummary run(List<Path> inputs, Path out, double fraction, boolean overwrite) {
    return ImportJob.run(spark, new ImportConfig(inputs.stream().map(Path::toString).toList(), fraction, 42, null),
        out.toString(), overwrite);
  }

  @Test
  void everyReasonCountedAndTheCountsAddUp() throws IOException {
    Path bad = ImportFiles.text(dir, "bad.jsonl", ImportFiles.BAD_JSONL);
    Path gz = ImportFiles.gzip(dir, "more.jsonl.gz",
        "{\"user_id\": \"u4\", \"prompt\": \"p\", \"chosen\": \"x\", \"rejected\": \"y\"}\n"
            + "{\"user_id\": \"u4\", \"prompt\": \"p2\", \"chosen\": \"x\", \"rejected\": \"y\"}\n");
    Path parquet = ImportFiles.parquet(spark, dir);
    Path out = dir.resolve("store");
    ImportSummary summary = run(List.of(bad, gz, parquet), out, 0.0, false);

    // bad.jsonl 11 rows (3 ok) + gz 2 rows (2 ok) + parquet 3 rows (1 ok, 1 duplicate, 1 missing)
    assertEquals(16, summary.rowsRead());
    assertEquals(1, summary.blankLines());
    assertEquals(6, summary.imported());
    Map<String, Long> expected = new LinkedHashMap<>();
    expected.put("invalid_json", 2L);
    expected.put("missing_field", 3L);
    expected.put("non_string_field", 1L);
    expected.put("empty_field", 1L);
    expected.put("identical_responses", 1L);
    expected.put("duplicate_pair", 2L);
    expected.put("duplicate_key", 0L);
    expected.put("invalid_unicode", 0L);
    expected.put("truncated_input", 0L);
    assertEquals(expected, summary.quarantinedByReason());
    assertEquals(summary.rowsRead(), summary.imported() + summary.quarantined());

    Map<String, String> reasonAt = new HashMap<>();
    for (QuarantineRecord q : EpisodeStore.loadQuarantine(spark, out.toString())) {
      assertEquals("import", q.stage());
      assertEquals(1, q.attempts());
      reasonAt.put(Path.of(q.source()).getFileName() + " " + q.location(), q.reason());
      if (q.reason().equals("duplicate_pair") && q.source().equals(bad.toString())) {
        assertEquals("same pair as " + bad + " line 1", q.detail());
        assertEquals("line 10", q.location());
      }
    }
    assertEquals("invalid_json", reasonAt.get("bad.jsonl line 3"));
    assertEquals("invalid_json", reasonAt.get("bad.jsonl line 4"));
    assertEquals("missing_field", reasonAt.get("bad.jsonl line 6"));
    assertEquals("empty_field", reasonAt.get("bad.jsonl line 7"));
    assertEquals("non_string_field", reasonAt.get("bad.jsonl line 8"));
    assertEquals("identical_responses", reasonAt.get("bad.jsonl line 9"));
    assertEquals("duplicate_pair", reasonAt.get("bad.jsonl line 10"));
    assertEquals("missing_field", reasonAt.get("bad.jsonl line 12"));
    assertEquals(Set.of("duplicate_pair", "missing_field"), reasonAt.entrySet().stream()
        .filter(e -> e.getKey().startsWith("extra.parquet")).map(Map.Entry::getValue).collect(Collectors.toSet()));
    assertTrue(reasonAt.keySet().stream().anyMatch(k -> k.matches("extra\\.parquet part-.* row 1")), reasonAt.toString());

    List<PreferencePair> pairs = EpisodeStore.loadPreferences(spark, out.toString(), null);
    assertEquals(6, pairs.size());
    PreferencePair reviews = pairs.stream().filter(p -> p.prompt().equals("q3")).findFirst().orElseThrow();
    assertEquals("reviews", reviews.domain());
    assertEquals(StableHash.pairId("u2", "q3", "a", "b"), reviews.pairId());
    assertEquals("import:bad.jsonl", reviews.provenance().source());
    PreferencePair q1 = pairs.stream().filter(p -> p.prompt().equals("q1")).findFirst().orElseThrow();
    assertEquals("imported", q1.domain());
    assertNull(q1.userDescription());

    Map<String, UserRecord> users = EpisodeStore.loadUsers(spark, out.toString(), null).stream()
        .collect(Collectors.toMap(UserRecord::userId, u -> u));
    assertEquals(Set.of("u1", "u2", "u3", "u4"), users.keySet());
    assertEquals("likes cats", users.get("u1").description());
    assertEquals("wants detail", users.get("u3").description());
    assertNull(users.get("u4").description());
    assertTrue(users.values().stream().allMatch(u -> u.split().equals(Split.TRAIN)));
  }

  @Test
  void nonStringColumnsInASingleParquetFileAreQuarantinedByRow() throws IOException {
    Path folder = ImportFiles.parquetWithIntIds(spark, dir);
    Path single = dir.resolve("single.parquet");
    try (var files = java.nio.file.Files.list(folder)) {
      java.nio.file.Files.copy(files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst()
          .orElseThrow(), single);
    }
    Path out = dir.resolve("store");
    ImportSummary summary = run(List.of(single), out, 0.5, false);
    assertEquals(2, summary.rowsRead());
    assertEquals(0, summary.imported());
    assertEquals(2L, summary.quarantinedByReason().get("non_string_field"));
    List<QuarantineRecord> rows = EpisodeStore.loadQuarantine(spark, out.toString());
    assertEquals(List.of("row 0", "row 1"), rows.stream().map(QuarantineRecord::location).toList());
    assertEquals("field 'user_id' is a number, expected a string", rows.get(0).detail());
    assertEquals("{\"user_id\":1,\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}", rows.get(0).raw());
  }

  @Test
  void reRunIsANoOpAndADifferentInputIsRefusedUnlessOverwrite() throws IOException {
    Path bad = ImportFiles.text(dir, "bad.jsonl", ImportFiles.BAD_JSONL);
    Path out = dir.resolve("store");
    ImportSummary first = run(List.of(bad), out, 0.5, false);
    Manifest manifest = EpisodeStore.manifest(spark, out.toString());
    ImportSummary again = run(List.of(bad), out, 0.5, false);
    assertTrue(again.upToDate());
    assertFalse(first.upToDate());
    assertEquals(first.imported(), again.imported());
    assertEquals(first.quarantinedByReason(), again.quarantinedByReason());
    assertEquals(manifest, EpisodeStore.manifest(spark, out.toString()));
    assertEquals(3, EpisodeStore.loadPreferences(spark, out.toString(), null).size());
    assertEquals(8, EpisodeStore.loadQuarantine(spark, out.toString()).size());

    Path other = ImportFiles.text(dir, "other.jsonl", ImportFiles.manyUsers(2, 2));
    FspoUserException refused = assertThrows(FspoUserException.class, () -> run(List.of(other), out, 0.5, false));
    assertEquals(FspoUserException.CANT_CREATE, refused.exitCode());
    assertFalse(refused.getMessage().contains("\n"));
    assertThrows(FspoUserException.class, () -> run(List.of(bad), out, 0.25, false));
    ImportSummary replaced = run(List.of(other), out, 0.5, true);
    assertEquals(4, replaced.imported());
    assertEquals(4, EpisodeStore.loadPreferences(spark, out.toString(), null).size());
    assertEquals(0, EpisodeStore.loadQuarantine(spark, out.toString()).size());
  }

  @Test
  void splitIsDeterministicAndDisjointByUser() throws IOException {
    Path input = ImportFiles.text(dir, "many.jsonl", ImportFiles.manyUsers(60, 3));
    run(List.of(input), dir.resolve("a"), 0.3, false);
    run(List.of(input), dir.resolve("b"), 0.3, false);
    List<PreferencePair> a = EpisodeStore.loadPreferences(spark, dir.resolve("a").toString(), null);
    List<PreferencePair> b = EpisodeStore.loadPreferences(spark, dir.resolve("b").toString(), null);
    assertEquals(a.stream().map(p -> p.pairId() + p.split()).toList(),
        b.stream().map(p -> p.pairId() + p.split()).toList());
    Set<String> train = users(dir.resolve("a"), Split.TRAIN);
    Set<String> test = users(dir.resolve("a"), Split.TEST);
    assertEquals(60, train.size() + test.size());
    assertTrue(test.size() > 5 && test.size() < 35, "test users " + test.size());
    Set<String> both = new HashSet<>(train);
    both.retainAll(test);
    assertEquals(Set.of(), both);
    for (PreferencePair pair : a) {
      assertEquals(Split.of(pair.userId(), 42, 0.3), pair.split());
    }
    for (UserRecord user : EpisodeStore.loadUsers(spark, dir.resolve("a").toString(), null)) {
      assertEquals(Split.of(user.userId(), 42, 0.3), user.split());
    }
    run(List.of(input), dir.resolve("all-test"), 1.0, false);
    assertEquals(0, EpisodeStore.loadPreferences(spark, dir.resolve("all-test").toString(), Split.TRAIN).size());
  }

  private Set<String> users(Path store, String split) {
    return EpisodeStore.loadPreferences(spark, store.toString(), split).stream().map(PreferencePair::userId)
        .collect(Collectors.toSet());
  }

  @Test
  void missingOrUnknownInputIsAOneLineUserError() {
    FspoUserException missing = assertThrows(FspoUserException.class,
        () -> run(List.of(dir.resolve("nope.jsonl")), dir.resolve("s"), 0, false));
    assertEquals(FspoUserException.NO_INPUT, missing.exitCode());
    assertEquals("input " + dir.resolve("nope.jsonl") + " not found; check the --input path", missing.getMessage());
    assertThrows(FspoUserException.class, () -> run(List.of(dir.resolve("data.csv")), dir.resolve("s"), 0, false));
  }
}
