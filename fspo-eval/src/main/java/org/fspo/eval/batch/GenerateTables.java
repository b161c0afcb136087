package org.fspo.eval.batch;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The schemas of `fspo generate`: its input questions, the per-row outcome, and the two tables it writes under OUT
 * ({@code responses/} and {@code quarantine/}, each partitioned by {@code chunk=N}, the unit of resume). Every input
 * row appears in exactly one of the two, under its {@code row_id}.
 */
public final class GenerateTables {
  private GenerateTables() {}

  /** Input questions: row_id is the 0-based position in the input (line of a JSONL file, row of a Parquet file). */
  public static final StructType QUESTIONS = new StructType()
      .add("row_id", DataTypes.LongType, false)
      .add("user_id", DataTypes.StringType, true)
      .add("question_id", DataTypes.StringType, true)
      .add("question", DataTypes.StringType, true)
      .add("reason", DataTypes.StringType, true)  // set when the input row itself is unusable
      .add("detail", DataTypes.StringType, true);

  /** One generated response or one quarantined row (reason non-null), before the run's constant columns. */
  public static final StructType OUTCOME = new StructType()
      .add("row_id", DataTypes.LongType, false)
      .add("user_id", DataTypes.StringType, true)
      .add("question_id", DataTypes.StringType, true)
      .add("question", DataTypes.StringType, true)
      .add("response", DataTypes.StringType, true)
      .add("shot_pair_ids", DataTypes.createArrayType(DataTypes.StringType, false), true)
      .add("reason", DataTypes.StringType, true)
      .add("detail", DataTypes.StringType, true)
      .add("generated_description", DataTypes.StringType, true); // what fspo_cot wrote of the user, else null

  public static final String RESPONSES_DIR = "responses";
  public static final String QUARANTINE_DIR = "quarantine";
  public static final String MANIFEST = "manifest.json";

  /** Quarantine reasons. */
  public static final String INVALID_JSON = "invalid_json", MISSING_FIELD = "missing_field",
      UNKNOWN_USER = "unknown_user", TOO_FEW_PAIRS = "too_few_pairs", PROMPT_TOO_LONG = "prompt_too_long",
      NO_DESCRIPTION = "no_description";
}
