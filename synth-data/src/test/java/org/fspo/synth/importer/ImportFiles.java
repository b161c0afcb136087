package org.fspo.synth.importer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Test inputs with hand-counted outcomes. bad.jsonl: 12 lines, one blank, so 11 rows: 3 imported, 8 quarantined
 * (invalid_json 2, missing_field 2, empty_field 1, non_string_field 1, identical_responses 1, duplicate_pair 1).
 */
final class ImportFiles {
  static final String BAD_JSONL = String.join("\n",
      "{\"user_id\": \"u1\", \"prompt\": \"q1\", \"chosen\": \"yes\", \"rejected\": \"no\"}",
      "{\"user_id\": \"u1\", \"prompt\": \"q2\", \"chosen\": \"yes\", \"rejected\": \"no\", \"user_description\": \"likes cats\"}",
      "{\"user_id\": \"u1\", broken",
      "[1, 2]",
      "   ",
      "{\"user_id\": \"u2\", \"prompt\": \"q\", \"chosen\": \"a\"}",
      "{\"user_id\": \"u2\", \"prompt\": \"  \", \"chosen\": \"a\", \"rejected\": \"b\"}",
      "{\"user_id\": \"u2\", \"prompt\": \"q\", \"chosen\": 5, \"rejected\": \"b\"}",
      "{\"user_id\": \"u2\", \"prompt\": \"q\", \"chosen\": \" same \", \"rejected\": \"same\"}",
      "{\"user_id\": \"u1\", \"prompt\": \"q1\", \"chosen\": \"yes\", \"rejected\": \"no\"}",
      "{\"user_id\": \"u2\", \"prompt\": \"q3\", \"chosen\": \"a\", \"rejected\": \"b\", \"domain\": \"reviews\"}",
      "{\"user_id\": \"u2\", \"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": null}") + "\n";

  private ImportFiles() {}

  static Path text(Path dir, String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }

  static Path gzip(Path dir, String name, String content) throws IOException {
    Path file = dir.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return file;
  }

  /** Rows of {@code users} users with {@code pairs} pairs each, one JSONL line per pair. */
  static String manyUsers(int users, int pairs) {
    StringBuilder out = new StringBuilder();
    for (int u = 0; u < users; u++) {
      for (int p = 0; p < pairs; p++) {
        out.append("{\"user_id\": \"user-").append(u).append("\", \"prompt\": \"q").append(p)
            .append("\", \"chosen\": \"good\", \"rejected\": \"bad\"}\n");
      }
    }
    return out.toString();
  }

  /**
   * A Parquet folder (Spark's layout) of 3 rows: a new pair of u3, a duplicate of bad.jsonl line 2, and a row whose
   * chosen is null (missing_field).
   */
  static Path parquet(SparkSession spark, Path dir) {
    StructType schema = new StructType().add("user_id", DataTypes.StringType).add("prompt", DataTypes.StringType)
        .add("chosen", DataTypes.StringType).add("rejected", DataTypes.StringType)
        .add("user_description", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    rows.add(RowFactory.create("u3", "q9", "long", "short", "wants detail"));
    rows.add(RowFactory.create("u1", "q2", "yes", "no", null));
    rows.add(RowFactory.create("u3", "q8", null, "short", null));
    Path out = dir.resolve("extra.parquet");
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(out.toString());
    return out;
  }

  /** A Parquet folder whose user_id column is an integer: every row is non_string_field. */
  static Path parquetWithIntIds(SparkSession spark, Path dir) {
    StructType schema = new StructType().add("user_id", DataTypes.IntegerType).add("prompt", DataTypes.StringType)
        .add("chosen", DataTypes.StringType).add("rejected", DataTypes.StringType);
    Path out = dir.resolve("ints.parquet");
    spark.createDataFrame(List.of(RowFactory.create(1, "q", "a", "b"), RowFactory.create(2, "q", "a", "b")), schema)
        .coalesce(1).write().parquet(out.toString());
    return out;
  }
}
