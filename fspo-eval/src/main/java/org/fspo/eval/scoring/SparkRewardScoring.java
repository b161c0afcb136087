package org.fspo.eval.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.eval.metrics.Method;
import org.fspo.eval.metrics.PairScore;
import org.fspo.eval.report.PairScoresParquet;

/**
 * Reward scoring on Spark executors: the eval episodes travel as JSON strings in {@code partitions} partitions; each
 * partition loads the method's checkpoints once ({@link MethodModelsLoader}, so the run folder must be readable from
 * every executor: a shared or distributed file system), scores its episodes with the same {@link RewardScorer} as the
 * single-process path, and returns pair_scores rows. The result equals single-process scoring, row for row (a test
 * checks it); only the wall time differs.
 */
public final class SparkRewardScoring {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final StructType INPUT = new StructType()
      .add("idx", DataTypes.IntegerType, false)
      .add("episode_json", DataTypes.StringType, false);

  private SparkRewardScoring() {}

  public static List<PairScore> score(SparkSession spark, MethodSpec spec, List<EvalEpisode> episodes,
      MethodModelsLoader loader, int partitions, int batchPairs) {
    List<Row> rows = new ArrayList<>(episodes.size());
    for (int i = 0; i < episodes.size(); i++) {
      rows.add(RowFactory.create(i, toJson(episodes.get(i))));
    }
    Dataset<Row> input = spark.createDataFrame(rows, INPUT).repartition(partitions);
    StructType outSchema = PairScoresParquet.SCHEMA.add("idx", DataTypes.IntegerType, false);
    // records of fspo-core are not Serializable: ship the spec as plain values and rebuild it on the executor
    Method method = spec.method();
    boolean dispreferred = spec.format().includeDispreferred(), described = spec.format().withDescription();
    boolean forced = spec.format().teacherForced();
    double beta = spec.beta();
    MapPartitionsFunction<Row, Row> scorePartition = it -> scorePartition(it, new MethodSpec(method,
        new PromptFormat(dispreferred, described, forced), beta), loader, batchPairs);
    Dataset<Row> scored = input.mapPartitions(scorePartition, Encoders.row(outSchema));
    List<Row> out = scored.orderBy("idx").collectAsList();
    List<PairScore> scores = new ArrayList<>(out.size());
    out.forEach(r -> scores.add(PairScoresParquet.fromRow(r)));
    return scores;
  }

  private static Iterator<Row> scorePartition(Iterator<Row> it, MethodSpec spec, MethodModelsLoader loader,
      int batchPairs) throws JsonProcessingException {
    List<Integer> idx = new ArrayList<>();
    List<EvalEpisode> episodes = new ArrayList<>();
    while (it.hasNext()) {
      Row r = it.next();
      idx.add(r.getInt(0));
      episodes.add(JSON.readValue(r.getString(1), EvalEpisode.class));
    }
    List<Row> out = new ArrayList<>(episodes.size());
    if (episodes.isEmpty()) {
      return out.iterator();
    }
    try (MethodModels models = loader.load()) { // once per partition
      List<PairScore> scores = new RewardScorer(batchPairs)
          .score(spec, episodes, models.policy(), models.reference(), models.writer());
      for (int i = 0; i < scores.size(); i++) {
        Row base = PairScoresParquet.toRow(scores.get(i));
        Object[] values = new Object[base.length() + 1];
        for (int c = 0; c < base.length(); c++) {
          values[c] = base.get(c);
        }
        values[base.length()] = idx.get(i);
        out.add(RowFactory.create(values));
      }
    }
    return out.iterator();
  }

  static String toJson(EvalEpisode episode) {
    try {
      return JSON.writeValueAsString(episode);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize an eval episode", e);
    }
  }
}
