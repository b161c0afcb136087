package org.fspo.synth.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.fspo.synth.stage.ProceduralStages;

/**
 * The procedural run: users from (seed, index), pairs labelled by each user's utility, no server. The judge's raw
 * verdict columns hold the exact utilities and attribute vectors of both responses, e.g.
 * {@code {"utility_chosen":1.2,"utility_rejected":-0.3,"chosen":"length=long,...","rejected":"length=short,..."}},
 * the same in both orders since the utility does not depend on the order.
 */
public final class ProceduralSynth {
  /** The template_version of procedural rows: bump when the renderer's phrasing changes. */
  public static final String TEMPLATE_VERSION = "procedural-v1";

  private ProceduralSynth() {}

  public static SynthOutput run(SparkSession spark, SynthConfig config, String createdAt) {
    Dataset<Row> ids = spark.range(0, config.numUsers(), 1, config.partitions()).toDF();
    Dataset<Row> users = ProceduralStages.withUsers(ids, config.proceduralSpec());
    Dataset<Row> pairs = ProceduralStages.explodePairs(users, config.proceduralSpec());
    Column verdict = functions.to_json(functions.struct(col("utility_chosen"), col("utility_rejected"),
        col("chosen_attributes").as("chosen"), col("rejected_attributes").as("rejected")));
    Dataset<Row> labelled = pairs.select(col("user_id"), col("prompt"), col("chosen"), col("rejected"),
        col("user_description"), col("split"), lit("procedural").as("generator"), lit("utility").as("judge"),
        verdict.as("judge_raw_ab"), verdict.as("judge_raw_ba"));
    Dataset<Row> preferences = StoreRows.preferences(labelled, config, "synth:procedural", TEMPLATE_VERSION,
        createdAt);
    long userCount = users.count(), pairCount = pairs.count();
    List<StageCount> counts = List.of(
        new StageCount("users", config.numUsers(), userCount, 0),
        new StageCount("pairs", (long) config.numUsers() * config.pairsPerUser(), pairCount, 0));
    return new SynthOutput(preferences, StoreRows.users(users), StoreRows.emptyQuarantine(spark), counts, null);
  }
}
