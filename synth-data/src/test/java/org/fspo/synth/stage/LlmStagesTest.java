package org.fspo.synth.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fspo.synth.llm.FakeLlmServer;
import org.fspo.synth.llm.LlmConfig;
import org.fspo.synth.stage.LlmPipelineConfig.ModelSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each LLM stage on local[2] against the loopback {@link FakeLlmServer} (its answers are a function of the prompt,
 * its faults of the request hash): row shapes, what each stage keeps and quarantines, and that every input row ends
 * up in one or the other.
 */
class LlmStagesTest {
  private static SparkSession spark;
  private static FakeLlmServer server;
  private static LlmContext ctx;
  private static final LlmPipelineConfig PIPELINE = new LlmPipelineConfig(
      Map.of("mood", List.of("calm", "poison")), 1, 1, List.of("How do I start?"), 2, 3,
      List.of(new ModelSpec("gen-a", 0.7), new ModelSpec("gen-b", 1.0)), new ModelSpec("judge-m", 0),
      new ModelSpec("persona-m", 0.9), false, "src/test/resources/templates/test", 64, null);

  @BeforeAll
  static void start() throws Exception {
    spark = SparkSession.builder().master("local[2]").appName("LlmStagesTest").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    server = new FakeLlmServer();
    Path cache = Files.createTempDirectory("llm-stages-cache");
    LlmConfig llm = new LlmConfig(server.baseUrl(), null, null, 2000, 1000, 8, 1, 3, 10, 50, true, Map.of(), false);
    Map<String, String> templates = Templates.load(Path.of(PIPELINE.templates()));
    ctx = new LlmContext(llm, cache.toString(), 4, 11, templates, Templates.version(templates));
  }

  @AfterAll
  static void stop() {
    spark.stop();
    server.close();
  }

  @Test
  void personasAreDescribedAndARefusedPromptIsQuarantinedAsAClientError() {
    Dataset<Row> personas = PairStages.samplePersonas(spark, "dom", 4, 3, PIPELINE);
    LlmMapper.Split split = LlmStages.withPersonas(personas, ctx, PIPELINE);
    List<Row> described = split.out().collectAsList();
    List<Row> refused = split.quarantine().collectAsList();
    assertEquals(2, described.size()); // the fake server answers mood=poison with HTTP 400
    described.forEach(row -> assertEquals("A person with mood: calm.", row.getAs("description")));
    assertEquals(List.of(LlmStages.USERS.fieldNames()), List.of(split.out().schema().fieldNames()));
    assertEquals(2, refused.size());
    refused.forEach(row -> {
      assertEquals("personas", row.getAs("stage"));
      assertEquals("client_error", row.getAs("reason"));
    });
    assertEquals(Set.of("dom-000000", "dom-000001", "dom-000002", "dom-000003"), ids(described, refused, "user_id",
        "source"));
  }

  @Test
  void viewsExplodeToKRowsAndResponsesUseTheGeneratorsRoundRobin() {
    Dataset<Row> questions = PairStages.questionSlots(spark, PIPELINE).limit(2)
        .withColumn("question", col("question_id"));
    LlmMapper.Split views = LlmStages.withViews(questions, ctx, PIPELINE);
    List<Row> viewRows = views.out().collectAsList();
    assertEquals(2 * 3, viewRows.size());
    assertEquals(0, views.quarantine().count());
    viewRows.forEach(row -> assertEquals("view " + row.getAs("view_index") + " on " + row.getAs("question"),
        row.getAs("view")));
    LlmMapper.Split responses = LlmStages.withResponses(views.out(), ctx, PIPELINE);
    List<Row> responseRows = responses.out().collectAsList();
    assertEquals(6, responseRows.size());
    for (Row row : responseRows) {
      int view = row.getAs("view_index");
      assertEquals(view % 2 == 0 ? "gen-a" : "gen-b", row.getAs("generator"));
      // free text is taken as it comes: the fake's injected non-JSON answer is a valid response too
      assertTrue(Set.of("Answer from " + row.getAs("view"), "Sure! Here is the answer you wanted")
          .contains(row.<String>getAs("response")), row.toString());
    }
  }

  @Test
  void judgementKeepsBothVerdictsAndTheFlipFilterAccountsForEveryPair() {
    Dataset<Row> assignments = PairStages.questionSlots(spark, PIPELINE).limit(1)
        .withColumn("question", lit("Which is better?"))
        .crossJoin(spark.range(3).selectExpr("concat('u', id) as user_id", "concat('person ', id) as description"))
        .select("user_id", "question_id", "question", "description");
    Dataset<Row> responses = spark.range(3).selectExpr("'g000' as question_id", "cast(id as int) as view_index",
        "concat('response ', id) as response", "'gen-a' as generator");
    Dataset<Row> pairs = PairStages.explodePairs(assignments, responses);
    LlmMapper.Split judged = LlmStages.withJudgement(pairs, ctx, PIPELINE);
    List<Row> verdicts = judged.out().collectAsList();
    assertEquals(3 * 3, verdicts.size()); // 3 users x C(3,2) pairs, none refused
    assertEquals(0, judged.quarantine().count());
    verdicts.forEach(row -> {
      assertTrue(Set.of("A", "B").contains(row.<String>getAs("winner_ab")), row.toString());
      assertTrue(Set.of("A", "B").contains(row.<String>getAs("winner_ba")), row.toString());
      assertEquals("judge-m", row.getAs("judge"));
    });
    LlmMapper.Split filtered = PairStages.filterPositionFlips(judged.out());
    long consistent = verdicts.stream().filter(row -> !row.getAs("winner_ab").equals(row.getAs("winner_ba"))).count();
    assertEquals(consistent, filtered.out().count());
    assertEquals(verdicts.size(), filtered.out().count() + filtered.quarantine().count());
  }

  private static Set<String> ids(List<Row> out, List<Row> quarantine, String outColumn, String quarantineColumn) {
    Set<String> all = out.stream().map(row -> row.<String>getAs(outColumn)).collect(Collectors.toSet());
    quarantine.forEach(row -> all.add(row.getAs(quarantineColumn)));
    return all;
  }
}
