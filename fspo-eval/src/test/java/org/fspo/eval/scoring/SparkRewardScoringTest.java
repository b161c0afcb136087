package org.fspo.eval.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fspo.eval.metrics.PairScore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SparkRewardScoringTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("SparkRewardScoringTest")
        .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void executorsGiveTheSameScoresAsOneProcess() {
    List<EvalEpisode> episodes = new EvalEpisodes(List.of(0, 1, 4), 3, 2).plan(EvalEpisodesTest.store()).episodes();
    MethodModelsLoader loader = () -> new MethodModels(
        new RewardScorerTest.FakeModel(-0.7), new RewardScorerTest.FakeModel(0.2), prompt -> "likes " + prompt.length());
    for (MethodSpec spec : List.of(MethodSpec.fspo(0.1), MethodSpec.population(0.1), MethodSpec.fspoCot(0.1))) {
      List<PairScore> local;
      try (MethodModels m = loader.load()) {
        local = new RewardScorer(4).score(spec, episodes, m.policy(), m.reference(), m.writer());
      }
      List<PairScore> distributed = SparkRewardScoring.score(spark, spec, episodes, loader, 3, 4);
      assertEquals(local, distributed, spec.key());
    }
  }
}
