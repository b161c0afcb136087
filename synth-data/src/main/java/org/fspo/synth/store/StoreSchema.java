package org.fspo.synth.store;

import static org.fspo.core.schema.Columns.*;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The episode store's three tables as explicit Spark schemas, one per table, built from the column names in
 * {@link org.fspo.core.schema.Columns}. Only plain Parquet types appear: UTF-8 strings, INT64, INT32 and MAP of
 * string keys, so pandas (pyarrow) and DuckDB read every column as is. Timestamps are ISO-8601 UTC strings
 * ("2026-11-23T08:00:00Z"), never Spark's INT96. docs/store.md documents every column; keep it in step.
 */
public final class StoreSchema {
  private static final DataType TEXT = DataTypes.StringType;

  /** preferences/: one row per labelled pair. */
  public static final StructType PREFERENCES = new StructType()
      .add(USER_ID, TEXT, false)
      .add(PAIR_ID, TEXT, false)
      .add(PROMPT, TEXT, false)
      .add(CHOSEN, TEXT, false)
      .add(REJECTED, TEXT, false)
      .add(USER_DESCRIPTION, TEXT, true)
      .add(DOMAIN, TEXT, true)
      .add(SPLIT, TEXT, false)
      .add(SOURCE, TEXT, false)
      .add(GENERATOR, TEXT, true)
      .add(JUDGE, TEXT, true)
      .add(SEED, DataTypes.LongType, false)
      .add(CREATED_AT, TEXT, false)
      .add(TEMPLATE_VERSION, TEXT, true)
      .add(JUDGE_RAW_AB, TEXT, true)
      .add(JUDGE_RAW_BA, TEXT, true);

  /** users/: one row per user. */
  public static final StructType USERS = new StructType()
      .add(USER_ID, TEXT, false)
      .add(DESCRIPTION, TEXT, true)
      .add(TRAITS, DataTypes.createMapType(TEXT, TEXT, true), false)
      .add(UTILITY_WEIGHTS, DataTypes.createMapType(TEXT, DataTypes.DoubleType, true), false)
      .add(SPLIT, TEXT, false);

  /** quarantine/: one row per input item that did not reach the output. */
  public static final StructType QUARANTINE = new StructType()
      .add(STAGE, TEXT, false)
      .add(SOURCE, TEXT, false)
      .add(LOCATION, TEXT, false)
      .add(REASON, TEXT, false)
      .add(DETAIL, TEXT, true)
      .add(RAW, TEXT, true)
      .add(ATTEMPTS, DataTypes.IntegerType, false);

  private StoreSchema() {}

  /** The schema of a table by its folder name (preferences, users, quarantine). */
  public static StructType of(String table) {
    return switch (table) {
      case PREFERENCES_DIR -> PREFERENCES;
      case USERS_DIR -> USERS;
      case QUARANTINE_DIR -> QUARANTINE;
      default -> throw new IllegalArgumentException("no store table '" + table + "'");
    };
  }
}
