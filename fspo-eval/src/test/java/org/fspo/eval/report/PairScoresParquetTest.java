package org.fspo.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fspo.eval.metrics.PairScore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairScoresParquetTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[1]").appName("PairScoresParquetTest")
        .config("spark.sql.shuffle.partitions", "1").config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void everyScoreComesBackWithDerivedColumns(@TempDir Path dir) {
    List<PairScore> scores = SampleReports.scores().subList(0, 500);
    String out = dir.resolve(PairScoresParquet.DIR_NAME).toString();
    PairScoresParquet.write(spark, scores, out);

    Comparator<PairScore> order = Comparator.comparing(PairScore::method).thenComparingInt(PairScore::shots)
        .thenComparing(PairScore::userId).thenComparing(PairScore::pairId);
    List<PairScore> back = PairScoresParquet.read(spark, out).stream().sorted(order).toList();
    assertEquals(scores.stream().sorted(order).toList(), back);

    Row agg = spark.read().parquet(out).selectExpr("count(*)", "sum(cast(is_correct as int))", "sum(reward_margin)")
        .first();
    assertEquals(500L, agg.getLong(0));
    assertEquals(scores.stream().filter(PairScore::correct).count(), agg.getLong(1));
    assertEquals(scores.stream().mapToDouble(PairScore::margin).sum(), agg.getDouble(2), 1e-9);
  }
}
