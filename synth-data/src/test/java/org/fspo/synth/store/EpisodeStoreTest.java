package org.fspo.synth.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Provenance;
import org.fspo.core.episode.QuarantineRecord;
import org.fspo.core.episode.StableHash;
import org.fspo.core.episode.UserRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpisodeStoreTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("EpisodeStoreTest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static PreferencePair pair(String user, String prompt, String split) {
    return new PreferencePair(user, StableHash.pairId(user, prompt, "c", "r"), prompt, "c", "r",
        user.equals("u1") ? "likes c" : null, "test", split,
        new Provenance("synth:test", "gen", "judge", 7, "2026-11-23T08:00:00Z", "v1", "A", "B"));
  }

  private static List<PreferencePair> pairs() {
    List<PreferencePair> pairs = new ArrayList<>();
    for (String prompt : List.of("q3", "q1", "q2")) {
      pairs.add(pair("u2", prompt, "test"));
      pairs.add(pair("u1", prompt, "train"));
    }
    return pairs;
  }

  private static List<UserRecord> users() {
    return List.of(new UserRecord("u2", null, Map.of(), Map.of(), "test"),
        new UserRecord("u1", "likes c", Map.of("age", "30", "region", "EU"), Map.of("length", -0.5), "train"));
  }

  private static List<QuarantineRecord> quarantine() {
    return List.of(new QuarantineRecord("judge", "item-1", "line 10", "position_flip", "flipped", "raw", 2),
        new QuarantineRecord("judge", "item-1", "line 9", "position_flip", "flipped", null, 2));
  }

  private Manifest write(Path out, String fingerprint, boolean overwrite) {
    return EpisodeStore.write(spark, out.toString(), StoreTables.of(spark, pairs(), users(), quarantine()),
        WriteOptions.of("synth", fingerprint, JsonNodeFactory.instance.objectNode().put("seed", 7))
            .withStats(Map.of("items", 3)).withOverwrite(overwrite));
  }

  @Test
  void roundTripsRecordsSortedWithCountsInTheManifest() {
    Path out = dir.resolve("store");
    Manifest manifest = write(out, "f1", false);
    List<PreferencePair> expected = new ArrayList<>(pairs());
    expected.sort((a, b) -> (a.userId() + a.pairId()).compareTo(b.userId() + b.pairId()));
    assertEquals(expected, EpisodeStore.loadPreferences(spark, out.toString(), null));
    assertEquals(List.of(users().get(1), users().get(0)), EpisodeStore.loadUsers(spark, out.toString(), null));
    assertEquals(List.of(users().get(0)), EpisodeStore.loadUsers(spark, out.toString(), "test"));
    assertEquals(3, EpisodeStore.loadPreferences(spark, out.toString(), "train").size());
    // natural order of locations: line 9 before line 10
    assertEquals(List.of(quarantine().get(1), quarantine().get(0)), EpisodeStore.loadQuarantine(spark, out.toString()));
    assertEquals(Map.of("preferences", 6L, "users", 2L, "quarantine", 2L), manifest.counts());
    assertEquals(Map.of("train", 3L, "test", 3L), manifest.preferencesBySplit());
    assertEquals(Map.of("position_flip", 2L), manifest.quarantineByReason());
    assertEquals(manifest, EpisodeStore.manifest(spark, out.toString()));
    assertEquals(7, manifest.config().get("seed").asInt());
  }

  @Test
  void physicalRowOrderIsSortedAndOneFilePerTable() throws IOException {
    Path out = dir.resolve("store");
    write(out, "f1", false);
    for (String table : List.of("preferences", "users", "quarantine")) {
      try (Stream<Path> files = Files.list(out.resolve(table))) {
        assertEquals(1, files.filter(f -> f.toString().endsWith(".parquet")).count(), table);
      }
    }
    List<String> keys = spark.read().parquet(out.resolve("preferences").toString()).collectAsList().stream()
        .map(r -> r.<String>getAs("user_id") + "/" + r.<String>getAs("pair_id")).toList();
    List<String> sorted = new ArrayList<>(keys);
    Collections.sort(sorted);
    assertEquals(sorted, keys);
  }

  @Test
  void sameFingerprintIsANoOpAndADifferentOneIsRefused() {
    Path out = dir.resolve("store");
    Manifest first = write(out, "f1", false);
    assertEquals(first, write(out, "f1", false));
    assertTrue(EpisodeStore.isUpToDate(spark, out.toString(), "f1", false));
    FspoUserException refused = assertThrows(FspoUserException.class, () -> write(out, "f2", false));
    assertEquals(FspoUserException.CANT_CREATE, refused.exitCode());
    assertTrue(refused.getMessage().contains("--overwrite"), refused.getMessage());
    assertEquals("f2", write(out, "f2", true).fingerprint());
    assertEquals(6, EpisodeStore.loadPreferences(spark, out.toString(), null).size());
  }

  @Test
  void aFailedWriteLeavesNothingBehind() throws IOException {
    Path out = dir.resolve("store");
    var bad = new StoreTables(
        StoreTables.of(spark, pairs(), users(), quarantine()).preferences().drop("seed"),
        StoreTables.of(spark, pairs(), users(), quarantine()).users(),
        StoreTables.of(spark, pairs(), users(), quarantine()).quarantine());
    assertThrows(IllegalArgumentException.class, () -> EpisodeStore.write(spark, out.toString(), bad,
        WriteOptions.of("synth", "f", JsonNodeFactory.instance.objectNode())));
    assertFalse(Files.exists(out));
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(), left.toList());
    }
  }

  @Test
  void aFolderWithoutManifestIsRefusedAndUnreadable() throws IOException {
    Path out = Files.createDirectories(dir.resolve("other"));
    Files.writeString(out.resolve("notes.txt"), "mine");
    assertThrows(FspoUserException.class, () -> write(out, "f1", false));
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> EpisodeStore.loadPreferences(spark, out.toString(), null));
    assertEquals(out + " is not an episode store (no manifest.json); give the --out folder of fspo import or"
        + " fspo synth", e.getMessage());
  }

  @Test
  void missingStoreAndBadSplitAreOneLineUserErrors() {
    String missing = dir.resolve("nowhere").toString();
    FspoUserException e = assertThrows(FspoUserException.class, () -> EpisodeStore.manifest(spark, missing));
    assertEquals(FspoUserException.NO_INPUT, e.exitCode());
    assertTrue(e.getMessage().startsWith("episode store " + missing + " not found"), e.getMessage());
    Path out = dir.resolve("store");
    write(out, "f1", false);
    assertThrows(FspoUserException.class, () -> EpisodeStore.preferences(spark, out.toString(), "dev"));
  }

  @Test
  void writesIntoAnExistingEmptyFolder() throws IOException {
    Path out = Files.createDirectories(dir.resolve("empty"));
    write(out, "f1", false);
    List<Row> rows = EpisodeStore.users(spark, out.toString(), "train").collectAsList();
    assertEquals(1, rows.size());
    assertEquals(Map.of("age", "30", "region", "EU"), rows.get(0).getJavaMap(2));
  }

  @Test
  void aFolderOfUserFilesIsNeverReplacedEvenWithOverwrite() throws IOException {
    Path mine = FolderSnapshot.userFolder(dir.resolve("mine"));
    Map<String, String> before = FolderSnapshot.of(mine);
    for (boolean overwrite : new boolean[] {false, true}) {
      FspoUserException refused = assertThrows(FspoUserException.class, () -> write(mine, "f1", overwrite));
      assertEquals(FspoUserException.CANT_CREATE, refused.exitCode());
      assertEquals("folder " + mine + " is not empty and is not an episode store (no valid manifest.json); fspo"
          + " never writes over other files: choose an empty or new --out folder", refused.getMessage());
    }
    assertEquals(before, FolderSnapshot.of(mine));
  }

  @Test
  void aStoreThatAlsoHoldsUserFilesIsNotReplacedAndAnInputInsideIsRefused() throws IOException {
    Path out = dir.resolve("store");
    write(out, "f1", false);
    Files.writeString(out.resolve("notes.txt"), "mine");
    Map<String, String> before = FolderSnapshot.of(out);
    FspoUserException refused = assertThrows(FspoUserException.class, () -> write(out, "f2", true));
    assertTrue(refused.getMessage().contains("also holds files fspo did not write (notes.txt)"), refused.getMessage());
    assertEquals(before, FolderSnapshot.of(out));
    Files.delete(out.resolve("notes.txt"));
    String input = out.resolve("preferences").toString();
    FspoUserException inside = assertThrows(FspoUserException.class,
        () -> EpisodeStore.isUpToDate(spark, out.toString(), "f2", true, List.of(input)));
    assertEquals(FspoUserException.CANT_CREATE, inside.exitCode());
    assertTrue(inside.getMessage().startsWith("input " + input + " lies inside the output folder " + out),
        inside.getMessage());
    EpisodeStore.isUpToDate(spark, out.toString(), "f2", true, List.of(dir.resolve("storeX").toString()));
  }

  @Test
  void aFailedOverwriteLeavesTheOldStoreIntact() throws IOException {
    Path out = dir.resolve("store");
    write(out, "f1", false);
    Map<String, String> before = FolderSnapshot.of(out);
    StoreTables good = StoreTables.of(spark, pairs(), users(), quarantine());
    org.apache.spark.sql.expressions.UserDefinedFunction boom = org.apache.spark.sql.functions.udf(
        (org.apache.spark.sql.api.java.UDF1<String, String>) text -> {
          throw new IllegalStateException("injected failure while writing");
        }, org.apache.spark.sql.types.DataTypes.StringType);
    StoreTables failing = new StoreTables(good.preferences().withColumn("prompt", boom.apply(
        org.apache.spark.sql.functions.col("prompt"))), good.users(), good.quarantine());
    Exception e = assertThrows(Exception.class, () -> EpisodeStore.write(spark, out.toString(), failing,
        WriteOptions.of("synth", "f2", JsonNodeFactory.instance.objectNode()).withOverwrite(true)));
    assertTrue(String.valueOf(e.getMessage()).contains("injected") || e.getCause() != null, e.toString());
    assertEquals(before, FolderSnapshot.of(out));
    assertEquals("f1", EpisodeStore.manifest(spark, out.toString()).fingerprint());
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(out), left.toList(), "no temp sibling is left behind");
    }
  }

  @Test
  void anEmptyOrIncompleteStoreOfTheSameJobIsRedoneAndOverwriteForcesARewrite() {
    Path out = dir.resolve("store");
    StoreTables empty = StoreTables.of(spark, List.of(), List.of(), quarantine());
    EpisodeStore.write(spark, out.toString(), empty, WriteOptions.of("synth", "f1",
        JsonNodeFactory.instance.objectNode()));
    assertFalse(EpisodeStore.isUpToDate(spark, out.toString(), "f1", false), "an empty store is not done");
    assertEquals(6, write(out, "f1", false).count("preferences"), "rewritten without --overwrite");
    assertTrue(EpisodeStore.isUpToDate(spark, out.toString(), "f1", false));
    EpisodeStore.write(spark, out.toString(), StoreTables.of(spark, pairs(), users(), quarantine()),
        WriteOptions.of("synth", "f1", JsonNodeFactory.instance.objectNode()).withOverwrite(true)
            .withStats(Map.of(EpisodeStore.COMPLETE, false)));
    assertFalse(EpisodeStore.isUpToDate(spark, out.toString(), "f1", false), "marked incomplete by its producer");
    write(out, "f1", false);
    assertTrue(EpisodeStore.isUpToDate(spark, out.toString(), "f1", false));
    assertFalse(EpisodeStore.isUpToDate(spark, out.toString(), "f1", true), "--overwrite always rewrites");
  }
}
