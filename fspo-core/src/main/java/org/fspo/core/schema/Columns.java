package org.fspo.core.schema;

/**
 * Column names of the episode store, written down once. Parquet columns are snake_case. The Spark StructTypes
 * built from these live in synth-data ({@code org.fspo.synth.store.StoreSchema}); docs/store.md documents each.
 */
public final class Columns {
  /** Bumped whenever a column is added, removed or changes meaning; written to manifest.json. */
  public static final int SCHEMA_VERSION = 1;

  // preferences/
  public static final String USER_ID = "user_id";
  public static final String PAIR_ID = "pair_id";
  public static final String PROMPT = "prompt";
  public static final String CHOSEN = "chosen";
  public static final String REJECTED = "rejected";
  public static final String USER_DESCRIPTION = "user_description";
  public static final String DOMAIN = "domain";
  public static final String SPLIT = "split";
  public static final String SOURCE = "source";
  public static final String GENERATOR = "generator";
  public static final String JUDGE = "judge";
  public static final String SEED = "seed";
  public static final String CREATED_AT = "created_at";
  public static final String TEMPLATE_VERSION = "template_version";
  public static final String JUDGE_RAW_AB = "judge_raw_ab";
  public static final String JUDGE_RAW_BA = "judge_raw_ba";

  // users/
  public static final String DESCRIPTION = "description";
  public static final String TRAITS = "traits";
  public static final String UTILITY_WEIGHTS = "utility_weights";

  // quarantine/
  public static final String STAGE = "stage";
  public static final String LOCATION = "location";
  public static final String REASON = "reason";
  public static final String DETAIL = "detail";
  public static final String RAW = "raw";
  public static final String ATTEMPTS = "attempts";

  // store layout
  public static final String PREFERENCES_DIR = "preferences";
  public static final String USERS_DIR = "users";
  public static final String QUARANTINE_DIR = "quarantine";
  public static final String MANIFEST = "manifest.json";

  private Columns() {}
}
