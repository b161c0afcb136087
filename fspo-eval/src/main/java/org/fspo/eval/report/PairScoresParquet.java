package org.fspo.eval.report;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fspo.eval.metrics.PairScore;

/**
 * pair_scores.parquet: one row per (method, shots, held-out pair), written by Spark as one Parquet file in a folder
 * so that pandas, DuckDB or Spark slice it by user, domain, method or shot count. Written with Spark because the
 * store is, and the CLI already holds a session to read the episodes; no Spark-specific types appear in it.
 *
 * <pre>
 * user_id string, pair_id string, domain string, method string, shots int,
 * policy_chosen_logp double, policy_rejected_logp double, ref_chosen_logp double, ref_rejected_logp double,
 * beta double, reward_chosen double, reward_rejected double, reward_margin double, is_correct boolean,
 * shots_dropped int, is_prompt_cut boolean, responses_cut int
 * </pre>
 * Rewards are beta * (policy - ref) log-probs summed over response tokens; is_correct is reward_chosen &gt;
 * reward_rejected (strict).
 */
public final class PairScoresParquet {
  public static final String DIR_NAME = "pair_scores.parquet";

  public static final StructType SCHEMA = new StructType()
      .add("user_id", DataTypes.StringType, false)
      .add("pair_id", DataTypes.StringType, false)
      .add("domain", DataTypes.StringType, true)
      .add("method", DataTypes.StringType, false)
      .add("shots", DataTypes.IntegerType, false)
      .add("policy_chosen_logp", DataTypes.DoubleType, false)
      .add("policy_rejected_logp", DataTypes.DoubleType, false)
      .add("ref_chosen_logp", DataTypes.DoubleType, false)
      .add("ref_rejected_logp", DataTypes.DoubleType, false)
      .add("beta", DataTypes.DoubleType, false)
      .add("reward_chosen", DataTypes.DoubleType, false)
      .add("reward_rejected", DataTypes.DoubleType, false)
      .add("reward_margin", DataTypes.DoubleType, false)
      .add("is_correct", DataTypes.BooleanType, false)
      .add("shots_dropped", DataTypes.IntegerType, false)
      .add("is_prompt_cut", DataTypes.BooleanType, false)
      .add("responses_cut", DataTypes.IntegerType, false);

  private PairScoresParquet() {}

  public static Row toRow(PairScore s) {
    return RowFactory.create(s.userId(), s.pairId(), s.domain(), s.method(), s.shots(), s.policyChosen(),
        s.policyRejected(), s.refChosen(), s.refRejected(), s.beta(), s.rewardChosen(), s.rewardRejected(),
        s.margin(), s.correct(), s.shotsDropped(), s.promptCut(), s.responsesCut());
  }

  public static PairScore fromRow(Row r) {
    return new PairScore(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getInt(4), r.getDouble(5),
        r.getDouble(6), r.getDouble(7), r.getDouble(8), r.getDouble(9), r.getInt(14), r.getBoolean(15), r.getInt(16));
  }

  /** Writes the scores (overwriting the folder) as a single Parquet file, sorted by method, shots, user, pair. */
  public static void write(SparkSession spark, List<PairScore> scores, String dir) {
    List<Row> rows = new ArrayList<>(scores.size());
    scores.forEach(s -> rows.add(toRow(s)));
    Dataset<Row> df = spark.createDataFrame(rows, SCHEMA);
    df.coalesce(1).sortWithinPartitions("method", "shots", "user_id", "pair_id")
        .write().mode(SaveMode.Overwrite).parquet(dir);
  }

  public static List<PairScore> read(SparkSession spark, String dir) {
    List<PairScore> out = new ArrayList<>();
    spark.read().schema(SCHEMA).parquet(dir).collectAsList().forEach(r -> out.add(fromRow(r)));
    return out;
  }
}
