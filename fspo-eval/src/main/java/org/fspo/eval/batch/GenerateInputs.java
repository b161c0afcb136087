package org.fspo.eval.batch;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.StableHash;
import org.fspo.core.schema.Columns;

/**
 * The first stage of `fspo generate`: the questions to answer, as {@link GenerateTables#QUESTIONS} rows.
 *
 * <pre>
 * input (JSONL)                                        | row_id | user_id | question_id      | question   | reason
 * {"user_id": "u1", "question": "Tea?"}                | 0      | u1      | sha256(u1,Tea?)  | Tea?       |
 * {"user_id": "u2", "question": "Rain?", "question_id":"r"} | 1 | u2      | r                | Rain?      |
 * {"user_id": "u3"}                                    | 2      | u3      |                  |            | missing_field
 * </pre>
 *
 * A question without a question_id gets the first 16 hex characters of SHA-256(user_id, question), so its sampling
 * seed does not depend on where it sits in the file.
 */
public final class GenerateInputs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private GenerateInputs() {}

  /** Questions from a JSONL (plain or .gz) or Parquet file (or a folder of Parquet part files). */
  public static Dataset<Row> fromFile(SparkSession spark, Path file) {
    if (!Files.exists(file)) {
      throw new FspoUserException(file + ": no such questions file; give JSONL or Parquet rows with user_id and "
          + "question", FspoUserException.NO_INPUT);
    }
    String name = file.getFileName().toString();
    boolean parquet = name.endsWith(".parquet") || Files.isDirectory(file);
    JavaRDD<Row> rows = parquet ? parquetRows(spark, file) : jsonlRows(spark, file);
    return spark.createDataFrame(rows, GenerateTables.QUESTIONS);
  }

  /** Every pair of one split of the store becomes a question (question_id = pair_id), in (user_id, pair_id) order. */
  public static Dataset<Row> fromPairs(SparkSession spark, Dataset<Row> pairs) {
    JavaRDD<Row> rows = pairs.select(Columns.USER_ID, Columns.PAIR_ID, Columns.PROMPT)
        .orderBy(Columns.USER_ID, Columns.PAIR_ID).javaRDD().zipWithIndex()
        .map(t -> RowFactory.create(t._2(), t._1().getString(0), t._1().getString(1), t._1().getString(2), null, null));
    return spark.createDataFrame(rows, GenerateTables.QUESTIONS);
  }

  private static JavaRDD<Row> jsonlRows(SparkSession spark, Path file) {
    // spark.read().text keeps the file's line order and decompresses .gz; the index is the line number - 1
    return spark.read().text(file.toString()).javaRDD().zipWithIndex()
        .map(t -> jsonLine(t._2(), t._1().getString(0)));
  }

  static Row jsonLine(long rowId, String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (Exception e) {
      return RowFactory.create(rowId, null, null, null, GenerateTables.INVALID_JSON,
          "line " + (rowId + 1) + ": " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (node == null || !node.isObject()) {
      return RowFactory.create(rowId, null, null, null, GenerateTables.INVALID_JSON,
          "line " + (rowId + 1) + ": not a JSON object");
    }
    return question(rowId, text(node, "user_id"), text(node, "question_id"), text(node, "question"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || !v.isTextual() ? null : v.asText();
  }

  private static JavaRDD<Row> parquetRows(SparkSession spark, Path file) {
    Dataset<Row> table = spark.read().parquet(file.toString());
    List<String> columns = Arrays.asList(table.columns());
    for (String required : List.of("user_id", "question")) {
      if (!columns.contains(required)) {
        throw new FspoUserException(file + ": no column '" + required + "' (columns: " + columns
            + "); questions need user_id and question, question_id is optional", FspoUserException.DATA);
      }
    }
    boolean hasId = columns.contains("question_id");
    Dataset<Row> picked = table.select(col("user_id").cast("string"),
        hasId ? col("question_id").cast("string") : col("user_id").cast("string").as("question_id"),
        col("question").cast("string"));
    return picked.javaRDD().zipWithIndex().map(t -> question(t._2(), t._1().getString(0),
        hasId ? t._1().getString(1) : null, t._1().getString(2)));
  }

  private static Row question(long rowId, String userId, String questionId, String question) {
    if (userId == null || userId.isBlank() || question == null || question.isBlank()) {
      String missing = userId == null || userId.isBlank() ? "user_id" : "question";
      return RowFactory.create(rowId, userId, questionId, question, GenerateTables.MISSING_FIELD,
          "row " + rowId + ": field '" + missing + "' is missing or empty");
    }
    String id = questionId == null || questionId.isBlank()
        ? StableHash.sha256Hex(userId, question).substring(0, 16) : questionId;
    return RowFactory.create(rowId, userId, id, question, null, null);
  }
}
