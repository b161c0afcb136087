package org.fspo.synth.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.fspo.core.schema.Columns;
import org.fspo.synth.stage.LlmMapper;

/**
 * Maps synth rows onto the store's tables, with the column names of {@link Columns}. pair_id is
 * {@link org.fspo.core.episode.StableHash#pairId} computed with native columns (first 32 hex of SHA-256 over the
 * four texts joined by U+001F), the same id import gives the same pair.
 */
public final class StoreRows {
  private StoreRows() {}

  /**
   * Input columns: user_id, prompt, chosen, rejected, user_description, split, generator, judge, judge_raw_ab,
   * judge_raw_ba. Output: the preferences table.
   */
  public static Dataset<Row> preferences(Dataset<Row> labelled, SynthConfig config, String source,
      String templateVersion, String createdAt) {
    return labelled.select(
        col("user_id").as(Columns.USER_ID),
        org.apache.spark.sql.functions.substring(sha2(concat_ws("\u001f", col("user_id"), col("prompt"),
            col("chosen"), col("rejected")), 256), 1, 32).as(Columns.PAIR_ID),
        col("prompt").as(Columns.PROMPT),
        col("chosen").as(Columns.CHOSEN),
        col("rejected").as(Columns.REJECTED),
        col("user_description").as(Columns.USER_DESCRIPTION),
        lit(config.domain()).as(Columns.DOMAIN),
        col("split").as(Columns.SPLIT),
        lit(source).as(Columns.SOURCE),
        col("generator").as(Columns.GENERATOR),
        col("judge").as(Columns.JUDGE),
        lit(config.seed()).as(Columns.SEED),
        lit(createdAt).as(Columns.CREATED_AT),
        lit(templateVersion).as(Columns.TEMPLATE_VERSION),
        col("judge_raw_ab").cast(DataTypes.StringType).as(Columns.JUDGE_RAW_AB),
        col("judge_raw_ba").cast(DataTypes.StringType).as(Columns.JUDGE_RAW_BA));
  }

  /** Input columns: user_id, description, traits, utility_weights (or absent: empty map), split. */
  public static Dataset<Row> users(Dataset<Row> users) {
    org.apache.spark.sql.Column weights = java.util.Arrays.asList(users.columns()).contains("utility_weights")
        ? col("utility_weights")
        : org.apache.spark.sql.functions.map().cast(
            DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType));
    return users.select(col("user_id").as(Columns.USER_ID), col("description").as(Columns.DESCRIPTION),
        col("traits").as(Columns.TRAITS), weights.as(Columns.UTILITY_WEIGHTS), col("split").as(Columns.SPLIT));
  }

  /** An empty quarantine table. */
  public static Dataset<Row> emptyQuarantine(org.apache.spark.sql.SparkSession spark) {
    return spark.createDataFrame(java.util.List.of(), LlmMapper.QUARANTINE);
  }
}
