package org.fspo.synth.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fspo.synth.stage.LlmPipelineConfig.ModelSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/** The model-free stages of the LLM pipeline on local[2], against counts and tables worked out by hand. */
class PairStagesTest {
  private static SparkSession spark;
  /** Traits a in {x, y} and b in {p, q, r}: 2 x 3 = 6 combinations; 2 global questions, 1 per trait value. */
  private static final LlmPipelineConfig PIPELINE = new LlmPipelineConfig(
      Map.of("a", List.of("x", "y"), "b", List.of("p", "q", "r")), 2, 1, List.of(), 3, 3,
      List.of(new ModelSpec("gen", 0.7)), new ModelSpec("judge", 0), new ModelSpec("persona", 0.9), false,
      "unused", 64, null);

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("PairStagesTest").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void personasCoverEveryTraitCombinationEquallyOften() {
    List<Row> users = PairStages.samplePersonas(spark, "dom", 12, 7, PIPELINE).orderBy("user_index")
        .collectAsList();
    assertEquals(12, users.size());
    assertEquals("dom-000000", users.get(0).getAs("user_id"));
    assertEquals("dom-000011", users.get(11).getAs("user_id"));
    Map<Map<String, String>, Integer> counts = new HashMap<>();
    for (Row user : users) {
      counts.merge(traits(user), 1, Integer::sum);
    }
    assertEquals(6, counts.size()); // all 2 x 3 combinations
    counts.values().forEach(count -> assertEquals(2, count)); // 12 users / 6 combinations
    // the first 6 users are the 6 distinct combinations (round-robin over one shuffle)
    assertEquals(6, users.subList(0, 6).stream().map(PairStagesTest::traits).distinct().count());
    List<Row> again = PairStages.samplePersonas(spark, "dom", 12, 7, PIPELINE).orderBy("user_index").collectAsList();
    assertEquals(users, again);
  }

  @Test
  void questionSlotsAreTheGlobalOnesThenOnePerTraitValue() {
    Set<String> ids = PairStages.questionSlots(spark, PIPELINE).collectAsList().stream()
        .map(row -> row.<String>getAs("question_id")).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(List.of("g000", "g001", "t:a=x:000", "t:a=y:000", "t:b=p:000", "t:b=q:000",
        "t:b=r:000")), ids);
  }

  @Test
  void duplicateQuestionsKeepTheFirstIdAndQuarantineTheRest() {
    Dataset<Row> questions = rows(new StructType().add("question_id", DataTypes.StringType)
        .add("question", DataTypes.StringType), new Object[] {"q2", "  how do I start? "},
        new Object[] {"q1", "How do I start?"}, new Object[] {"q3", "Where next?"});
    LlmMapper.Split split = PairStages.dedupeQuestions(questions);
    assertEquals(Set.of("q1", "q3"), column(split.out(), "question_id"));
    List<Row> dropped = split.quarantine().collectAsList();
    assertEquals(1, dropped.size());
    assertEquals("q2", dropped.get(0).getAs("source"));
    assertEquals("duplicate_question", dropped.get(0).getAs("reason"));
  }

  @Test
  void usersGetOnlyGlobalQuestionsAndThoseOfTheirOwnTraitValues() {
    Dataset<Row> users = PairStages.samplePersonas(spark, "dom", 6, 7, PIPELINE)
        .withColumn("description", org.apache.spark.sql.functions.lit("someone"));
    Dataset<Row> questions = PairStages.questionSlots(spark, PIPELINE)
        .withColumn("question", org.apache.spark.sql.functions.concat_ws(" ", org.apache.spark.sql.functions.lit(
            "text of"), org.apache.spark.sql.functions.col("question_id")));
    Map<String, Map<String, String>> traitsById = new HashMap<>();
    users.collectAsList().forEach(user -> traitsById.put(user.getAs("user_id"), traits(user)));
    List<Row> assigned = PairStages.assignQuestions(users, questions, 7, 3).collectAsList();
    // eligible per user: 2 global + 1 for a's value + 1 for b's value = 4, of which 3 are kept
    assertEquals(6 * 3, assigned.size());
    for (Row row : assigned) {
      String id = row.getAs("question_id");
      Map<String, String> traits = traitsById.get(row.<String>getAs("user_id"));
      assertTrue(id.startsWith("g") || id.equals("t:a=" + traits.get("a") + ":000")
          || id.equals("t:b=" + traits.get("b") + ":000"), row.toString());
    }
    assertEquals(Set.copyOf(assigned), Set.copyOf(PairStages.assignQuestions(users, questions, 7, 3).collectAsList()));
  }

  @Test
  void pairsAreEveryUnorderedResponsePairAndTheCapKeepsASubset() {
    Dataset<Row> assignments = rows(new StructType().add("user_id", DataTypes.StringType)
        .add("question_id", DataTypes.StringType).add("question", DataTypes.StringType)
        .add("description", DataTypes.StringType), new Object[] {"u0", "g000", "Q0", "d0"},
        new Object[] {"u0", "g001", "Q1", "d0"}, new Object[] {"u1", "g000", "Q0", "d1"});
    StructType responseSchema = new StructType().add("question_id", DataTypes.StringType)
        .add("view_index", DataTypes.IntegerType).add("response", DataTypes.StringType)
        .add("generator", DataTypes.StringType);
    Dataset<Row> responses = rows(responseSchema, new Object[] {"g000", 0, "r0", "gen"},
        new Object[] {"g000", 1, "r1", "gen"}, new Object[] {"g000", 2, "r2", "gen"},
        new Object[] {"g001", 0, "s0", "gen"}, new Object[] {"g001", 1, "s1", "gen"});
    List<Row> pairs = PairStages.explodePairs(assignments, responses).collectAsList();
    // C(3,2) = 3 for each of the two g000 assignments, C(2,2) = 1 for g001
    assertEquals(3 + 3 + 1, pairs.size());
    pairs.forEach(pair -> assertTrue(pair.<Integer>getAs("a_index") < pair.<Integer>getAs("b_index")));
    assertEquals(List.of(PairStages.PAIRS.fieldNames()), List.of(PairStages.explodePairs(assignments, responses)
        .schema().fieldNames()));
    Dataset<Row> capped = PairStages.capPairsPerUser(PairStages.explodePairs(assignments, responses), 5, 2);
    Map<String, Long> perUser = capped.collectAsList().stream()
        .collect(Collectors.groupingBy(row -> row.<String>getAs("user_id"), Collectors.counting()));
    assertEquals(Map.of("u0", 2L, "u1", 2L), perUser);
    assertTrue(Set.copyOf(pairs).containsAll(capped.collectAsList()));
  }

  @Test
  void positionFlipFilterFollowsItsTruthTable() {
    StructType schema = new StructType().add("user_id", DataTypes.StringType)
        .add("question_id", DataTypes.StringType).add("a_index", DataTypes.IntegerType)
        .add("b_index", DataTypes.IntegerType).add("response_a", DataTypes.StringType)
        .add("response_b", DataTypes.StringType).add("winner_ab", DataTypes.StringType)
        .add("winner_ba", DataTypes.StringType).add("judge_raw_ab", DataTypes.StringType)
        .add("judge_raw_ba", DataTypes.StringType);
    Dataset<Row> judged = rows(schema, new Object[] {"u0", "g000", 0, 1, "ra", "rb", "A", "B", "x", "y"},
        new Object[] {"u0", "g000", 0, 2, "ra", "rc", "B", "A", "x", "y"},
        new Object[] {"u0", "g000", 1, 2, "rb", "rc", "A", "A", "x", "y"},
        new Object[] {"u1", "g000", 1, 2, "rb", "rc", "B", "B", "x", "y"});
    LlmMapper.Split split = PairStages.filterPositionFlips(judged);
    Map<String, String> chosenByPair = new HashMap<>();
    split.out().collectAsList().forEach(row -> chosenByPair.put(row.<String>getAs("user_id") + row.getAs("a_index")
        + row.getAs("b_index"), row.<String>getAs("chosen") + ">" + row.getAs("rejected") + ":" + row.getAs("label_a")));
    assertEquals(Map.of("u001", "ra>rb:1", "u002", "rc>ra:0"), chosenByPair);
    List<Row> flipped = split.quarantine().collectAsList();
    assertEquals(Set.of("u0/g000/1-2", "u1/g000/1-2"), flipped.stream().map(row -> row.<String>getAs("location"))
        .collect(Collectors.toSet()));
    flipped.forEach(row -> assertEquals("position_flip", row.getAs("reason")));
    assertEquals(judged.count(), split.out().count() + split.quarantine().count());
  }

  private static Map<String, String> traits(Row user) {
    return Map.copyOf(CollectionConverters.asJava(user.<scala.collection.Map<String, String>>getAs("traits")));
  }

  private static Set<String> column(Dataset<Row> data, String name) {
    return data.collectAsList().stream().map(row -> row.<String>getAs(name)).collect(Collectors.toSet());
  }

  private static Dataset<Row> rows(StructType schema, Object[]... values) {
    return spark.createDataFrame(java.util.Arrays.stream(values).map(RowFactory::create).toList(), schema);
  }
}
