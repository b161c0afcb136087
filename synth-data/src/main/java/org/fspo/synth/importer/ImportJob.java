package org.fspo.synth.importer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;
import static org.fspo.core.schema.Columns.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fspo.core.FspoUserException;
import org.fspo.core.config.ConfigLoader;
import org.fspo.core.episode.Split;
import org.fspo.core.episode.StableHash;
import org.fspo.core.schema.Columns;
import org.fspo.synth.store.EpisodeStore;
import org.fspo.synth.store.Manifest;
import org.fspo.synth.store.StoreTables;
import org.fspo.synth.store.WriteOptions;

/**
 * {@code fspo import}: Hugging Face-style preference rows (user_id, prompt, chosen, rejected, optional
 * user_description and domain) from JSONL or Parquet into the episode store, with every unusable row in
 * quarantine/ and the counts adding up: rows read = imported + quarantined (asserted).
 *
 * <p>Damaged input: {@link ImportInput#check} refuses, before anything is written, an input that cannot be read at
 * all (not gzip, not Parquet, a damaged Parquet footer, a folder without part files); {@link ReadFailures} names
 * the file when a damaged Parquet page fails a task; a cut-off .gz keeps its complete lines and ends in one
 * truncated_input row ({@link GzipLines}); an import without any row is refused. All as one line, exit 65.
 *
 * <p>Stages: {@link ImportSources#read} (raw rows with file and line), {@link #validated} (one
 * {@link ImportValidator} result per row), {@link #withDuplicates} (the first occurrence of a pair_id, by input
 * order then line, is kept; later ones are duplicate_pair), then the three store tables. pair_id is
 * {@link StableHash#pairId}; the split is {@link Split#of}(user_id, seed, test fraction). A user's description is the
 * first non-empty user_description of its rows.
 */
public final class ImportJob {
  public static final String PRODUCER = "import";
  /** quarantine.raw keeps at most this many characters of the input row. */
  public static final int RAW_LIMIT = 4096;

  static final StructType VALIDATED = ImportSources.RAW
      .add(REASON, DataTypes.StringType, true)
      .add(DETAIL, DataTypes.StringType, true)
      .add(USER_ID, DataTypes.StringType, true)
      .add(PROMPT, DataTypes.StringType, true)
      .add(CHOSEN, DataTypes.StringType, true)
      .add(REJECTED, DataTypes.StringType, true)
      .add(USER_DESCRIPTION, DataTypes.StringType, true)
      .add(DOMAIN, DataTypes.StringType, true);

  private static final String BLANK = "blank";

  private ImportJob() {}

  /** Runs the import into {@code out}; a no-op (reported as such) when out already holds the same import. */
  public static ImportSummary run(SparkSession spark, ImportConfig config, String out, boolean overwrite) {
    List<ImportInput> inputs = ImportSources.check(spark, config.inputs());
    String fingerprint = fingerprint(config, ImportSources.contentHashes(spark, config.inputs()));
    if (EpisodeStore.isUpToDate(spark, out, fingerprint, overwrite, config.inputs())) {
      return ImportSummary.of(out, EpisodeStore.manifest(spark, out), true);
    }
    Dataset<Row> rows = withDuplicates(validated(ImportSources.read(spark, inputs))).cache();
    try {
      Map<String, Long> byReason = new LinkedHashMap<>();
      for (Row row : ReadFailures.named(inputs, () -> rows.groupBy(REASON).count().collectAsList())) {
        byReason.put(row.isNullAt(0) ? "ok" : row.getString(0), row.getLong(1));
      }
      long blank = byReason.getOrDefault(BLANK, 0L);
      long read = byReason.values().stream().mapToLong(Long::longValue).sum() - blank;
      if (read == 0) {
        throw new FspoUserException("no rows to import in " + String.join(", ", config.inputs()) + " (empty"
            + (blank > 0 ? ", only " + blank + " blank line(s)" : "") + "); give files with at least one row",
            FspoUserException.DATA);
      }
      Map<String, Object> stats = new LinkedHashMap<>();
      stats.put("files", config.inputs().size());
      stats.put("rows_read", read);
      stats.put("blank_lines", blank);
      String createdAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      JsonNode configTree = ConfigLoader.toTree(config);
      Manifest manifest = ReadFailures.named(inputs, () -> EpisodeStore.write(spark, out,
          tables(rows.filter(col(REASON).isNull().or(col(REASON).notEqual(BLANK))), config, createdAt),
          WriteOptions.of(PRODUCER, fingerprint, configTree).withStats(stats).withOverwrite(overwrite)));
      ImportSummary summary = ImportSummary.of(out, manifest, false);
      if (summary.rowsRead() != summary.imported() + summary.quarantined()) {
        throw new IllegalStateException("import lost rows: read " + summary.rowsRead() + " but imported "
            + summary.imported() + " + quarantined " + summary.quarantined());
      }
      return summary;
    } finally {
      rows.unpersist();
    }
  }

  /** The fingerprint: schema version, the config (not the input paths) and the inputs' names and bytes. */
  static String fingerprint(ImportConfig config, List<String> contentHashes) {
    List<String> parts = new ArrayList<>();
    parts.add(PRODUCER);
    parts.add(Integer.toString(Columns.SCHEMA_VERSION));
    parts.add(Double.toString(config.testFraction()));
    parts.add(Long.toString(config.seed()));
    parts.add(config.domain());
    parts.addAll(contentHashes);
    return StableHash.sha256Hex(parts.toArray(String[]::new));
  }

  /**
   * Raw rows plus the validator's verdict and fields; blank lines get reason "blank" (not rows, not stored), a row
   * with a read_error (where a damaged file stopped) gets truncated_input with that error as its detail.
   */
  static Dataset<Row> validated(Dataset<Row> raw) {
    int sourceColumns = ImportSources.RAW.size();
    MapFunction<Row, Row> check = row -> {
      String text = row.getString(5);
      String readError = row.getString(6);
      Object[] values = new Object[VALIDATED.size()];
      for (int i = 0; i < sourceColumns; i++) {
        values[i] = row.get(i);
      }
      int at = sourceColumns;
      if (readError != null) {
        values[at] = ImportValidator.TRUNCATED_INPUT;
        values[at + 1] = readError;
        return RowFactory.create(values);
      }
      if (text.isEmpty()) {
        values[at] = BLANK;
        return RowFactory.create(values);
      }
      ImportValidator.Result result = ImportValidator.validate(text);
      Object[] fields = {result.reason(), result.detail(), result.userId(), result.prompt(), result.chosen(),
          result.rejected(), result.userDescription(), result.domain()};
      System.arraycopy(fields, 0, values, at, fields.length);
      return RowFactory.create(values);
    };
    return raw.select("file_index", "source", "part", "position", "location", "raw", "read_error")
        .map(check, Encoders.row(VALIDATED));
  }

  /** Adds pair_id to valid rows and marks every occurrence of a pair after the first as duplicate_pair. */
  static Dataset<Row> withDuplicates(Dataset<Row> validated) {
    UDF1<Row, String> pairId = r -> r.isNullAt(0) ? null
        : StableHash.pairId(r.getString(0), r.getString(1), r.getString(2), r.getString(3));
    Dataset<Row> withIds = validated.withColumn(PAIR_ID, org.apache.spark.sql.functions.udf(pairId,
        DataTypes.StringType).apply(struct(col(USER_ID), col(PROMPT), col(CHOSEN), col(REJECTED))));
    WindowSpec byPair = Window.partitionBy(PAIR_ID).orderBy("file_index", "part", "position");
    Dataset<Row> ranked = withIds
        .withColumn("occurrence", when(col(REASON).isNull(), row_number().over(byPair)))
        .withColumn("first_at", when(col(REASON).isNull(),
            concat(first(col("source")).over(byPair), lit(" "), first(col("location")).over(byPair))));
    return ranked
        .withColumn(DETAIL, when(col("occurrence").gt(1), concat(lit("same pair as "), col("first_at")))
            .otherwise(col(DETAIL)))
        .withColumn(REASON, when(col("occurrence").gt(1), lit(ImportValidator.DUPLICATE_PAIR))
            .otherwise(col(REASON)))
        .drop("occurrence", "first_at");
  }

  private static StoreTables tables(Dataset<Row> rows, ImportConfig config, String createdAt) {
    Dataset<Row> good = rows.filter(col(REASON).isNull());
    long seed = config.seed();
    double testFraction = config.testFraction();
    var split = org.apache.spark.sql.functions.udf(
        (UDF1<String, String>) user -> Split.of(user, seed, testFraction), DataTypes.StringType);
    Dataset<Row> preferences = good.select(
        col(USER_ID), col(PAIR_ID), col(PROMPT), col(CHOSEN), col(REJECTED), col(USER_DESCRIPTION),
        org.apache.spark.sql.functions.coalesce(col(DOMAIN), lit(config.domain())).as(DOMAIN),
        split.apply(col(USER_ID)).as(SPLIT),
        concat(lit("import:"), org.apache.spark.sql.functions.regexp_extract(col("source"), "([^/]+)$", 1))
            .as(SOURCE),
        lit(null).cast("string").as(GENERATOR), lit(null).cast("string").as(JUDGE), lit(config.seed()).as(SEED),
        lit(createdAt).as(CREATED_AT), lit(null).cast("string").as(TEMPLATE_VERSION),
        lit(null).cast("string").as(JUDGE_RAW_AB), lit(null).cast("string").as(JUDGE_RAW_BA));
    Dataset<Row> users = good.groupBy(USER_ID)
        .agg(min_by(col(USER_DESCRIPTION), when(col(USER_DESCRIPTION).isNotNull(),
            struct(col("file_index"), col("part"), col("position")))).as(DESCRIPTION))
        .select(col(USER_ID), col(DESCRIPTION),
            org.apache.spark.sql.functions.map().cast("map<string,string>").as(TRAITS),
            org.apache.spark.sql.functions.map().cast("map<string,double>").as(UTILITY_WEIGHTS),
            split.apply(col(USER_ID)).as(SPLIT));
    Dataset<Row> quarantine = rows.filter(col(REASON).isNotNull()).select(
        lit(PRODUCER).as(STAGE), col("source").as(SOURCE), col("location").as(LOCATION), col(REASON),
        col(DETAIL), substring(col("raw"), 1, RAW_LIMIT).as(RAW), lit(1).as(ATTEMPTS));
    return new StoreTables(preferences, users, quarantine);
  }
}
