package org.fspo.synth.store;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.fspo.core.schema.Columns.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.QuarantineRecord;
import org.fspo.core.episode.Split;
import org.fspo.core.episode.UserRecord;

/**
 * The episode store: one folder with preferences/, users/, quarantine/ (Parquet, {@link StoreSchema}) and
 * manifest.json ({@link Manifest}). docs/store.md is the user-facing description.
 *
 * <p>Writing is all-or-nothing: the tables and then the manifest go to a hidden sibling temp folder, which is
 * renamed into place at the end, so a crash leaves either the old folder or the new one, never half a store. The
 * same fingerprint at the same folder is a no-op (re-runs add no duplicates) unless that store is incomplete (no
 * preferences, or stats.complete false) or overwrite is asked; a different one is refused unless overwrite. A
 * folder that is not a store, or a store that also holds files fspo did not write, is never replaced. Row order and file count are deterministic: rows are hash-partitioned by user_id into
 * {@link WriteOptions#files()} files and sorted within each (preferences by user_id, pair_id; users by user_id;
 * quarantine by stage, source, location in natural order).
 *
 * <p>Readers take the store folder as a Hadoop path string (local paths work as is) and fail with one line naming
 * the path when it is missing or not a store.
 */
public final class EpisodeStore {
  private EpisodeStore() {}

  /** Would writing {@code fingerprint} to {@code dir} be a no-op? Throws the refusal if it would be refused. */
  public static boolean isUpToDate(SparkSession spark, String dir, String fingerprint, boolean overwrite) {
    return isUpToDate(spark, dir, fingerprint, overwrite, List.of());
  }

  /**
   * As {@link #isUpToDate(SparkSession, String, String, boolean)}, and refuses first (one line, exit 73) when one
   * of {@code inputs} (files or folders the job reads) lies inside {@code dir}, which a replace would delete.
   */
  public static boolean isUpToDate(SparkSession spark, String dir, String fingerprint, boolean overwrite,
      List<String> inputs) {
    StoreFolder folder = new StoreFolder(spark, dir);
    folder.refuseInputsInside(inputs, spark.sparkContext().hadoopConfiguration());
    return folder.target(fingerprint, overwrite) == StoreFolder.Target.UP_TO_DATE;
  }

  /** The manifest's stats key (a Boolean) a producer sets to false so that a rerun of the same job redoes it. */
  public static final String COMPLETE = StoreFolder.COMPLETE;

  /**
   * Writes the store, or does nothing if {@code dir} already holds one with the same fingerprint.
   *
   * @return the manifest now in {@code dir} (the existing one on a no-op)
   */
  public static Manifest write(SparkSession spark, String dir, StoreTables tables, WriteOptions options) {
    StoreFolder folder = new StoreFolder(spark, dir);
    if (folder.target(options.fingerprint(), options.overwrite()) == StoreFolder.Target.UP_TO_DATE) {
      return folder.readManifest();
    }
    Path temp = folder.tempSibling("tmp");
    try {
      writeTable(conform(tables.preferences(), StoreSchema.PREFERENCES), new Path(temp, PREFERENCES_DIR), options.files(),
          col(USER_ID), col(PAIR_ID));
      writeTable(conform(tables.users(), StoreSchema.USERS), new Path(temp, USERS_DIR), options.files(), col(USER_ID));
      writeTable(conform(tables.quarantine(), StoreSchema.QUARANTINE), new Path(temp, QUARANTINE_DIR), options.files(),
          col(STAGE), col(SOURCE), length(col(LOCATION)), col(LOCATION), col(REASON), col(DETAIL), col(RAW));
      Manifest manifest = manifest(spark, temp.toString(), options);
      folder.writeManifest(temp, manifest);
      folder.swapIn(temp);
      return manifest;
    } catch (IOException e) {
      throw new UncheckedIOException("writing store " + dir + " failed", e);
    } finally {
      try {
        if (folder.fs.exists(temp)) {
          folder.fs.delete(temp, true);
        }
      } catch (IOException e) {
        // best effort: a leftover hidden temp folder is harmless and names itself
      }
    }
  }

  /** The manifest; a one-line {@link FspoUserException} if the folder is missing or not a store. */
  public static Manifest manifest(SparkSession spark, String dir) {
    Manifest manifest = new StoreFolder(spark, dir).readManifest();
    if (manifest.schemaVersion() != SCHEMA_VERSION) {
      throw new FspoUserException(dir + " has store schema version " + manifest.schemaVersion() + " but this fspo"
          + " reads version " + SCHEMA_VERSION + "; re-create the store with this version", FspoUserException.DATA);
    }
    return manifest;
  }

  /** preferences/ as a Dataset, optionally one split ("train" or "test"; null for all). */
  public static Dataset<Row> preferences(SparkSession spark, String dir, String split) {
    return bySplit(table(spark, dir, PREFERENCES_DIR), split);
  }

  /** users/ as a Dataset, optionally one split. */
  public static Dataset<Row> users(SparkSession spark, String dir, String split) {
    return bySplit(table(spark, dir, USERS_DIR), split);
  }

  public static Dataset<Row> quarantine(SparkSession spark, String dir) {
    return table(spark, dir, QUARANTINE_DIR);
  }

  /** The pairs of one split (or all), collected to the driver, sorted by (user_id, pair_id). */
  public static List<PreferencePair> loadPreferences(SparkSession spark, String dir, String split) {
    List<PreferencePair> pairs = new ArrayList<>(
        preferences(spark, dir, split).collectAsList().stream().map(StoreCodec::preference).toList());
    pairs.sort(Comparator.comparing(PreferencePair::userId).thenComparing(PreferencePair::pairId));
    return pairs;
  }

  /** The users of one split (or all), sorted by user_id. */
  public static List<UserRecord> loadUsers(SparkSession spark, String dir, String split) {
    List<UserRecord> users = new ArrayList<>(
        users(spark, dir, split).collectAsList().stream().map(StoreCodec::user).toList());
    users.sort(Comparator.comparing(UserRecord::userId));
    return users;
  }

  /** The quarantine rows, in the store's order. */
  public static List<QuarantineRecord> loadQuarantine(SparkSession spark, String dir) {
    return quarantine(spark, dir).collectAsList().stream().map(StoreCodec::quarantine).toList();
  }

  private static Dataset<Row> table(SparkSession spark, String dir, String name) {
    manifest(spark, dir);
    String path = new Path(dir, name).toString();
    return spark.read().schema(StoreSchema.of(name)).parquet(path);
  }

  private static Dataset<Row> bySplit(Dataset<Row> table, String split) {
    if (split == null) {
      return table;
    }
    if (!split.equals(Split.TRAIN) && !split.equals(Split.TEST)) {
      throw new FspoUserException("split must be 'train' or 'test', got '" + split + "'", FspoUserException.USAGE);
    }
    return table.filter(col(SPLIT).equalTo(split));
  }

  /** Exactly the schema's columns, in its order, cast to its types; anything else is a programming error. */
  static Dataset<Row> conform(Dataset<Row> input, StructType schema) {
    List<String> present = Arrays.asList(input.columns());
    TreeSet<String> extra = new TreeSet<>(present);
    List<Column> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      if (!present.contains(field.name())) {
        throw new IllegalArgumentException("store table needs column '" + field.name() + "' but got " + present);
      }
      extra.remove(field.name());
      columns.add(col(field.name()).cast(field.dataType()).as(field.name()));
    }
    if (!extra.isEmpty()) {
      throw new IllegalArgumentException("columns " + extra + " are not in the store schema; add them to"
          + " StoreSchema and docs/store.md, or drop them");
    }
    return input.select(columns.toArray(Column[]::new));
  }

  private static void writeTable(Dataset<Row> rows, Path path, int files, Column... order) {
    Dataset<Row> partitioned = files == 1 ? rows.repartition(1) : rows.repartition(files, rows.col(rows.columns()[0]));
    partitioned.sortWithinPartitions(order).write().mode(SaveMode.ErrorIfExists).parquet(path.toString());
  }

  /** Counts come from the files just written (one grouped count per table), so they are the store's truth. */
  private static Manifest manifest(SparkSession spark, String temp, WriteOptions options) {
    Map<String, Long> preferencesBySplit =
        countBy(spark.read().parquet(new Path(temp, PREFERENCES_DIR).toString()), SPLIT);
    Map<String, Long> usersBySplit = countBy(spark.read().parquet(new Path(temp, USERS_DIR).toString()), SPLIT);
    Map<String, Long> byReason = countBy(spark.read().parquet(new Path(temp, QUARANTINE_DIR).toString()), REASON);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put(PREFERENCES_DIR, sum(preferencesBySplit));
    counts.put(USERS_DIR, sum(usersBySplit));
    counts.put(QUARANTINE_DIR, sum(byReason));
    return new Manifest(SCHEMA_VERSION, options.producer(), options.fingerprint(),
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), counts, preferencesBySplit, usersBySplit, byReason,
        options.config(), options.stats());
  }

  private static long sum(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  private static Map<String, Long> countBy(Dataset<Row> table, String column) {
    Map<String, Long> counts = new TreeMap<>();
    for (Row row : table.groupBy(column).count().collectAsList()) {
      counts.put(row.getString(0), row.getLong(1));
    }
    return counts;
  }
}
