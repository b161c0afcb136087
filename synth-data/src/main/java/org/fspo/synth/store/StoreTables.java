package org.fspo.synth.store;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.QuarantineRecord;
import org.fspo.core.episode.UserRecord;

/**
 * The three tables a producer (import, synth) hands to {@link EpisodeStore#write}. Each Dataset must have exactly
 * the columns of its {@link StoreSchema} table, in any order; types are cast to the schema's.
 */
public record StoreTables(Dataset<Row> preferences, Dataset<Row> users, Dataset<Row> quarantine) {

  /** Tables from in-memory records (small stores, tests). */
  public static StoreTables of(
      SparkSession spark, List<PreferencePair> preferences, List<UserRecord> users,
      List<QuarantineRecord> quarantine) {
    return new StoreTables(
        spark.createDataFrame(preferences.stream().map(StoreCodec::toRow).toList(), StoreSchema.PREFERENCES),
        spark.createDataFrame(users.stream().map(StoreCodec::toRow).toList(), StoreSchema.USERS),
        spark.createDataFrame(quarantine.stream().map(StoreCodec::toRow).toList(), StoreSchema.QUARANTINE));
  }
}
