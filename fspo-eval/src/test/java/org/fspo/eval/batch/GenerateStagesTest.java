package org.fspo.eval.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.eval.generate.Generator;
import org.fspo.eval.generate.ModelResponseWriter;
import org.fspo.eval.generate.ModelResponseWriterTest.Script;
import org.fspo.eval.generate.SamplingConfig;
import org.fspo.eval.metrics.Method;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generate stage on local[2], with a scripted model: which rows get shots, which are quarantined and why, per
 * method. User a has three pairs and a description (on two of them), b one pair and none, zz is not in the store.
 */
class GenerateStagesTest {
  static SparkSession spark;
  static Dataset<Row> withPairs;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("GenerateStagesTest")
        .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false").getOrCreate();
    StructType pairs = new StructType();
    for (String c : List.of("user_id", "pair_id", "prompt", "chosen", "rejected", "user_description", "domain",
        "split")) {
      pairs = pairs.add(c, DataTypes.StringType, true);
    }
    Dataset<Row> store = spark.createDataFrame(List.of(
        RowFactory.create("a", "a1", "Tea?", "warm", "cold", null, "d", "train"), // one pair without it is enough
        RowFactory.create("a", "a2", "Rain?", "warm", "cold", "likes tea", "d", "train"),
        RowFactory.create("a", "a3", "Music?", "warm", "cold", "likes tea", "d", "train"),
        RowFactory.create("b", "b1", "Tea?", "warm", "cold", null, "d", "train")), pairs);
    Dataset<Row> questions = spark.createDataFrame(List.of(
        RowFactory.create(0L, "a", "qa", "Books?", null, null),
        RowFactory.create(1L, "b", "qb", "Books?", null, null),
        RowFactory.create(2L, "zz", "qz", "Books?", null, null)), GenerateTables.QUESTIONS);
    withPairs = GenerateStages.withUserPairs(questions, store).repartition(2);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** row_id -> "response|shot ids" or "reason". */
  private static Map<Long, String> outcomes(Method method) {
    boolean zeroShot = method.zeroShot();
    boolean described = method.needsUserDescriptions(); // the format is rebuilt on the executor: plain values travel
    GenerateStages.WriterLoader loader = () -> {
      Script s = new Script("hello");
      PromptFormat format = new PromptFormat(false, described, described);
      return new ModelResponseWriter(new Generator(s, new SamplingConfig(0, 1, 8, 0), 0), s, format, zeroShot, "m");
    };
    Map<Long, String> out = new TreeMap<>();
    for (Row r : GenerateStages.generate(withPairs, loader, method, 2, 7).collectAsList()) {
      String reason = r.getString(r.fieldIndex("reason"));
      out.put(r.getLong(0), reason != null ? reason
          : r.getString(r.fieldIndex("response")) + "|" + r.getList(r.fieldIndex("shot_pair_ids")).size());
    }
    return out;
  }

  @Test
  void aFewShotMethodNeedsEnoughPairs() {
    assertEquals(Map.of(0L, "hello|2", 1L, "too_few_pairs", 2L, "unknown_user"), outcomes(Method.FSPO));
  }

  @Test
  void aZeroShotMethodPicksNoShotsSoNoUserHasTooFew() {
    assertEquals(Map.of(0L, "hello|0", 1L, "hello|0", 2L, "unknown_user"), outcomes(Method.POPULATION));
  }

  @Test
  void cotRowsCarryTheDescriptionTheModelWroteApartFromTheResponse() {
    GenerateStages.WriterLoader loader = () -> {
      Script s = new Script("likes", " tea", "\n## Response \n", "hello");
      return new ModelResponseWriter(new Generator(s, new SamplingConfig(0, 1, 8, 0), 0), s,
          new PromptFormat(false, true, false), false, "m");
    };
    Map<Long, String> out = new TreeMap<>();
    for (Row r : GenerateStages.generate(withPairs, loader, Method.FSPO_COT, 2, 7).collectAsList()) {
      String reason = r.getString(r.fieldIndex("reason"));
      out.put(r.getLong(0), (reason != null ? reason : r.getString(r.fieldIndex("response"))) + "|"
          + r.getString(r.fieldIndex("generated_description")));
    }
    // fspo_cot reads shots (b has too few) and needs no stored description: it writes its own
    assertEquals(Map.of(0L, "hello|likes tea", 1L, "too_few_pairs|null", 2L, "unknown_user|null"), out);
    for (Row r : GenerateStages.generate(withPairs, () -> {
      Script s = new Script("likes", " tea", "\n## Response \n", "hello");
      return new ModelResponseWriter(new Generator(s, new SamplingConfig(0, 1, 8, 0), 0), s,
          new PromptFormat(false, false, false), false, "m");
    }, Method.FSPO, 2, 7).collectAsList()) {
      assertEquals(null, r.getString(r.fieldIndex("generated_description")), "a model that reads shots only");
    }
  }

  @Test
  void theOracleNeedsTheUsersDescriptionAndNoShots() {
    assertEquals(Map.of(0L, "hello|0", 1L, "no_description", 2L, "unknown_user"), outcomes(Method.ORACLE));
  }
}
