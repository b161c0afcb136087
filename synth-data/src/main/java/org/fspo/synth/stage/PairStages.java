package org.fspo.synth.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.fspo.synth.stage.StageChecks.requireColumns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fspo.synth.procedural.Seeds;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The stages of the LLM pipeline that need no model: sampling personas and question slots, deduplicating
 * questions, assigning questions to users, forming pairs, and the position-flip filter. All native Spark columns.
 */
public final class PairStages {
  /** One row per (user, question, response pair): the judge's input. */
  public static final StructType PAIRS = new StructType()
      .add("user_id", DataTypes.StringType).add("question_id", DataTypes.StringType)
      .add("question", DataTypes.StringType).add("description", DataTypes.StringType)
      .add("a_index", DataTypes.IntegerType).add("b_index", DataTypes.IntegerType)
      .add("response_a", DataTypes.StringType).add("response_b", DataTypes.StringType)
      .add("generator_a", DataTypes.StringType).add("generator_b", DataTypes.StringType);

  private PairStages() {}

  /**
   * Deals {@code numUsers} personas round-robin over the seeded shuffle of all trait combinations (cartesian
   * product, keys sorted), so combinations are balanced (counts differ by at most 1) and each is a distinct set.
   *
   * <pre>
   * -> | user_index | user_id     | traits
   *    | 0          | reviews-000000 | {length: long, sentiment: negative}
   *    | 1          | reviews-000001 | {length: short, sentiment: positive}
   *    | 2          | reviews-000002 | {length: short, sentiment: negative}
   * </pre>
   */
  public static Dataset<Row> samplePersonas(SparkSession spark, String domain, int numUsers, long seed,
      LlmPipelineConfig pipeline) {
    List<Map<String, String>> combinations = new ArrayList<>();
    combinations.add(new java.util.TreeMap<>());
    for (Map.Entry<String, List<String>> trait : pipeline.traits().entrySet()) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> partial : combinations) {
        for (String value : new java.util.LinkedHashSet<>(trait.getValue())) { // duplicates in config count once
          Map<String, String> more = new java.util.TreeMap<>(partial);
          more.put(trait.getKey(), value);
          next.add(more);
        }
      }
      combinations = next;
    }
    java.util.Collections.shuffle(combinations, new java.util.Random(Seeds.mix(seed, 11)));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < numUsers; i++) {
      rows.add(RowFactory.create((long) i, String.format("%s-%06d", domain, i),
          CollectionConverters.asScala(combinations.get(i % combinations.size()))));
    }
    StructType schema = new StructType().add("user_index", DataTypes.LongType).add("user_id", DataTypes.StringType)
        .add("traits", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
    return spark.createDataFrame(rows, schema);
  }

  /** Question slots: global_questions global ones ("g000"...), then questions_per_trait_value per trait value. */
  public static Dataset<Row> questionSlots(SparkSession spark, LlmPipelineConfig pipeline) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < pipeline.globalQuestions(); i++) {
      rows.add(RowFactory.create(String.format("g%03d", i), null, null, i));
    }
    pipeline.traits().forEach((key, values) -> {
      for (String value : new java.util.LinkedHashSet<>(values)) {
        for (int i = 0; i < pipeline.questionsPerTraitValue(); i++) {
          rows.add(RowFactory.create(String.format("t:%s=%s:%03d", key, value, i), key, value, i));
        }
      }
    });
    StructType schema = new StructType().add("question_id", DataTypes.StringType)
        .add("scope_key", DataTypes.StringType).add("scope_value", DataTypes.StringType)
        .add("slot_index", DataTypes.IntegerType);
    return spark.createDataFrame(rows, schema);
  }

  /** Keeps the first question_id of each question text (case and outer spaces ignored); the rest to quarantine. */
  public static LlmMapper.Split dedupeQuestions(Dataset<Row> questions) {
    requireColumns("dedupeQuestions", questions, "question_id", "question");
    Dataset<Row> ranked = questions.withColumn("_rank", row_number().over(
        Window.partitionBy(lower(trim(col("question")))).orderBy(col("question_id"))));
    Dataset<Row> kept = ranked.filter(col("_rank").equalTo(1)).drop("_rank");
    Dataset<Row> dropped = ranked.filter(col("_rank").gt(1)).select(lit("questions").as("stage"),
        col("question_id").as("source"), col("question_id").as("location"), lit("duplicate_question").as("reason"),
        lit("same text as an earlier question").as("detail"), col("question").as("raw"),
        lit(1).as("attempts"));
    return new LlmMapper.Split(kept, dropped);
  }

  /**
   * Gives each user questions_per_user questions among the global ones and those of the user's trait values,
   * chosen by the rank of sha2(seed:user_id:question_id). Users who share a question are what the disagreement
   * report compares.
   */
  public static Dataset<Row> assignQuestions(Dataset<Row> users, Dataset<Row> questions, long seed,
      int questionsPerUser) {
    requireColumns("assignQuestions", users, "user_id", "traits", "description");
    requireColumns("assignQuestions", questions, "question_id", "scope_key", "scope_value", "question");
    Column matches = col("q.scope_key").isNull()
        .or(element_at(col("u.traits"), col("q.scope_key")).equalTo(col("q.scope_value")));
    Column rank = sha2(concat_ws(":", lit(String.valueOf(seed)), col("u.user_id"), col("q.question_id")), 256);
    return users.as("u").join(questions.as("q"), matches)
        .select(col("u.user_id"), col("q.question_id"), col("q.question"), col("u.description"), rank.as("_rank"))
        .withColumn("_n", row_number().over(Window.partitionBy("user_id").orderBy("_rank")))
        .filter(col("_n").leq(questionsPerUser)).drop("_rank", "_n");
  }

  /** All C(K, 2) response pairs (a_index &lt; b_index) of each assigned (user, question). */
  public static Dataset<Row> explodePairs(Dataset<Row> assignments, Dataset<Row> responses) {
    requireColumns("explodePairs", assignments, "user_id", "question_id", "question", "description");
    requireColumns("explodePairs", responses, "question_id", "view_index", "response", "generator");
    Dataset<Row> a = responses.select(col("question_id").as("qa"), col("view_index").as("a_index"),
        col("response").as("response_a"), col("generator").as("generator_a"));
    Dataset<Row> b = responses.select(col("question_id").as("qb"), col("view_index").as("b_index"),
        col("response").as("response_b"), col("generator").as("generator_b"));
    return assignments.join(a, col("question_id").equalTo(col("qa")))
        .join(b, col("question_id").equalTo(col("qb")).and(col("a_index").lt(col("b_index"))))
        .select(java.util.Arrays.stream(PAIRS.fieldNames()).map(org.apache.spark.sql.functions::col)
            .toArray(Column[]::new));
  }

  /** Keeps at most {@code pairsPerUser} pairs per user, chosen by the rank of sha2(seed:user:question:a:b). */
  public static Dataset<Row> capPairsPerUser(Dataset<Row> pairs, long seed, int pairsPerUser) {
    requireColumns("capPairsPerUser", pairs, "user_id", "question_id", "a_index", "b_index");
    Column rank = sha2(concat_ws(":", lit(String.valueOf(seed)), col("user_id"), col("question_id"),
        col("a_index").cast("string"), col("b_index").cast("string")), 256);
    return pairs.withColumn("_n", row_number().over(Window.partitionBy("user_id").orderBy(rank)))
        .filter(col("_n").leq(pairsPerUser)).drop("_n");
  }

  /**
   * Keeps pairs whose verdict survives swapping the order: (A then B) in the first order and (B then A) in the
   * swapped one. Sets chosen/rejected; the others go to quarantine as "position_flip" with both raw verdicts.
   *
   * <pre>
   * winner_ab | winner_ba | -> | chosen     | rejected
   * A         | B         |    | response_a | response_b
   * B         | A         |    | response_b | response_a
   * A         | A         |    | (quarantine: position_flip)
   * </pre>
   */
  public static LlmMapper.Split filterPositionFlips(Dataset<Row> judged) {
    requireColumns("filterPositionFlips", judged, "winner_ab", "winner_ba", "response_a", "response_b");
    Column aWins = col("winner_ab").equalTo("A").and(col("winner_ba").equalTo("B"));
    Column bWins = col("winner_ab").equalTo("B").and(col("winner_ba").equalTo("A"));
    Dataset<Row> consistent = judged.filter(aWins.or(bWins))
        .withColumn("chosen", when(aWins, col("response_a")).otherwise(col("response_b")))
        .withColumn("rejected", when(aWins, col("response_b")).otherwise(col("response_a")))
        .withColumn("label_a", when(aWins, lit(1)).otherwise(lit(0)));
    Dataset<Row> flipped = judged.filter(aWins.or(bWins).unary_$bang()).select(
        lit("judge").as("stage"), col("user_id").as("source"),
        concat_ws("/", col("user_id"), col("question_id"), concat_ws("-", col("a_index").cast("string"),
            col("b_index").cast("string"))).as("location"),
        lit("position_flip").as("reason"),
        concat_ws("", lit("verdict "), col("winner_ab"), lit(" in order AB, "), col("winner_ba"),
            lit(" in order BA")).as("detail"),
        concat_ws("\n", col("judge_raw_ab"), col("judge_raw_ba")).as("raw"), lit(2).as("attempts"));
    return new LlmMapper.Split(consistent, flipped);
  }
}
