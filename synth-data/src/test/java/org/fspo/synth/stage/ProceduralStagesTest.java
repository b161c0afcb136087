package org.fspo.synth.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fspo.synth.procedural.ProceduralConfig;
import org.fspo.synth.procedural.ProceduralGenerator;
import org.fspo.synth.procedural.ProceduralUser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

class ProceduralStagesTest {
  private static SparkSession spark;
  private final ProceduralSpec config = new ProceduralSpec(42, 4, 0.2, ProceduralConfig.defaults());

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("ProceduralStagesTest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void withUsersDrawsTheGeneratorsUsers() {
    List<Row> users = ProceduralStages.withUsers(spark.range(3).toDF(), config).orderBy("user_index").collectAsList();
    ProceduralGenerator generator = new ProceduralGenerator(config.seed(), config.procedural());
    assertEquals(3, users.size());
    for (int i = 0; i < 3; i++) {
      Row row = users.get(i);
      ProceduralUser expected = generator.user(i);
      assertEquals(expected.userId(), row.getAs("user_id"));
      assertEquals(expected.description(), row.getAs("description"));
      Map<String, Double> weights = CollectionConverters.asJava(row.<scala.collection.Map<String, Double>>getAs(
          "utility_weights"));
      assertEquals(expected.weights(), weights);
    }
  }

  @Test
  void explodePairsGivesPairsPerUserLabelledByTheStoredWeights() {
    Dataset<Row> users = ProceduralStages.withUsers(spark.range(3).toDF(), config);
    List<Row> pairs = ProceduralStages.explodePairs(users, config).collectAsList();
    assertEquals(3 * 4, pairs.size());
    Map<String, Row> byUser = new java.util.HashMap<>();
    users.collectAsList().forEach(row -> byUser.put(row.getAs("user_id"), row));
    for (Row pair : pairs) {
      Row user = byUser.get(pair.<String>getAs("user_id"));
      ProceduralUser oracle = ProceduralUser.fromStore(user.getAs("user_id"),
          CollectionConverters.asJava(user.<scala.collection.Map<String, Double>>getAs("utility_weights")));
      assertTrue(oracle.utility(pair.<String>getAs("chosen")) > oracle.utility(pair.<String>getAs("rejected")));
      assertEquals(user.<String>getAs("split"), pair.getAs("split"));
    }
  }

  @Test
  void outputDoesNotDependOnPartitioning() {
    Dataset<Row> onePartition = ProceduralStages.explodePairs(
        ProceduralStages.withUsers(spark.range(0, 3, 1, 1).toDF(), config), config);
    Dataset<Row> threePartitions = ProceduralStages.explodePairs(
        ProceduralStages.withUsers(spark.range(0, 3, 1, 3).toDF(), config), config);
    assertEquals(onePartition.orderBy("user_id", "pair_index").collectAsList(),
        threePartitions.orderBy("user_id", "pair_index").collectAsList());
  }

  @Test
  void aStageFailsWithOneLineWhenAColumnIsMissing() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> ProceduralStages.explodePairs(spark.range(2).toDF(), config));
    assertEquals("stage explodePairs needs column 'user_index' but its input has [id]", error.getMessage());
  }
}
