package org.fspo.synth.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.fspo.core.episode.UserRecord;
import org.fspo.synth.importer.ImportConfig;
import org.fspo.synth.importer.ImportJob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by {@code fspo import} is readable without Spark: DuckDB reads every table with the column names
 * and plain SQL types that docs/store.md lists, and the row counts match manifest.json.
 */
class StoreSchemaTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("StoreSchemaTest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** The DuckDB type docs/store.md promises for each Spark type of the schema. */
  private static String duckType(DataType type) {
    if (type.equals(DataTypes.StringType)) {
      return "VARCHAR";
    }
    if (type.equals(DataTypes.LongType)) {
      return "BIGINT";
    }
    if (type.equals(DataTypes.IntegerType)) {
      return "INTEGER";
    }
    if (type.equals(DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, true))) {
      return "MAP(VARCHAR, VARCHAR)";
    }
    if (type.equals(DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, true))) {
      return "MAP(VARCHAR, DOUBLE)";
    }
    throw new AssertionError("no documented DuckDB type for " + type);
  }

  private static Map<String, String> expected(StructType schema) {
    Map<String, String> columns = new LinkedHashMap<>();
    for (StructField field : schema.fields()) {
      columns.put(field.name(), duckType(field.dataType()));
    }
    return columns;
  }

  private static Map<String, String> describe(Statement sql, String glob) throws SQLException {
    Map<String, String> columns = new LinkedHashMap<>();
    try (ResultSet rs = sql.executeQuery("DESCRIBE SELECT * FROM read_parquet('" + glob + "')")) {
      while (rs.next()) {
        columns.put(rs.getString("column_name"), rs.getString("column_type"));
      }
    }
    return columns;
  }

  private static long scalar(Statement sql, String query) throws SQLException {
    try (ResultSet rs = sql.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void duckDbReadsAnImportedStoreWithTheDocumentedTypes() throws IOException, SQLException {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, String.join("\n",
        "{\"user_id\": \"u1\", \"prompt\": \"q1\", \"chosen\": \"a\", \"rejected\": \"b\", \"user_description\": \"d\"}",
        "{\"user_id\": \"u1\", \"prompt\": \"q2\", \"chosen\": \"a\", \"rejected\": \"b\"}",
        "{\"user_id\": \"u2\", \"prompt\": \"q1\", \"chosen\": \"a\", \"rejected\": \"b\"}",
        "not json") + "\n");
    String out = dir.resolve("store").toString();
    ImportJob.run(spark, new ImportConfig(List.of(input.toString()), 0.5, 1, null), out, false);
    Manifest manifest = EpisodeStore.manifest(spark, out);

    try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
      for (String table : List.of("preferences", "users", "quarantine")) {
        String glob = out + "/" + table + "/*.parquet";
        assertEquals(expected(StoreSchema.of(table)), describe(sql, glob), table);
        assertEquals(manifest.count(table), scalar(sql, "SELECT count(*) FROM read_parquet('" + glob + "')"), table);
      }
      assertEquals(3, scalar(sql, "SELECT count(DISTINCT pair_id) FROM read_parquet('" + out
          + "/preferences/*.parquet') WHERE created_at LIKE '20%Z'"));
      assertEquals(1, scalar(sql, "SELECT count(*) FROM read_parquet('" + out
          + "/quarantine/*.parquet') WHERE reason = 'invalid_json' AND location = 'line 4'"));
      assertEquals(manifest.usersBySplit().getOrDefault("test", 0L), scalar(sql, "SELECT count(*) FROM read_parquet('"
          + out + "/users/*.parquet') WHERE split = 'test'"));
    }
  }

  @Test
  void duckDbReadsTheMapColumns() throws SQLException {
    String out = dir.resolve("store").toString();
    UserRecord user = new UserRecord("u1", "d", Map.of("age", "30"), Map.of("length", -0.5), "train");
    EpisodeStore.write(spark, out, StoreTables.of(spark, List.of(), List.of(user), List.of()),
        WriteOptions.of("synth", "f", null));
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement();
        ResultSet rs = sql.executeQuery("SELECT traits['age'], utility_weights['length'] FROM read_parquet('"
            + out + "/users/*.parquet')")) {
      List<String> values = new ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1) + "," + rs.getDouble(2));
      }
      assertEquals(List.of("30,-0.5"), values);
      assertEquals(0, scalar(sql, "SELECT count(*) FROM read_parquet('" + out + "/preferences/*.parquet')"));
    }
  }
}
