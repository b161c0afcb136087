package org.fspo.synth.stage;

import static org.fspo.synth.stage.StageChecks.requireColumns;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fspo.core.episode.QuarantineRecord;
import org.fspo.synth.llm.ChatMessage;
import org.fspo.synth.llm.ChatRequest;
import org.fspo.synth.llm.JsonAnswer;
import org.fspo.synth.llm.LlmResult;
import org.fspo.synth.procedural.Seeds;
import org.fspo.synth.stage.LlmMapper.Outcome;
import org.fspo.synth.stage.LlmPipelineConfig.ModelSpec;

/**
 * The LLM-calling stages of the synth pipeline, each Dataset to (Dataset, quarantine). Every call's seed is
 * Seeds.mix(run seed, stage, item key), so a rerun sends byte-identical requests and the durable cache answers them.
 * Row shapes are the StructTypes below; the item key of each stage is its first column(s).
 */
public final class LlmStages {
  private static final org.apache.spark.sql.types.DataType STRING_MAP =
      DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType);

  public static final StructType USERS = new StructType()
      .add("user_index", DataTypes.LongType).add("user_id", DataTypes.StringType).add("traits", STRING_MAP)
      .add("description", DataTypes.StringType);
  public static final StructType QUESTIONS = new StructType()
      .add("question_id", DataTypes.StringType).add("scope_key", DataTypes.StringType)
      .add("scope_value", DataTypes.StringType).add("question", DataTypes.StringType);
  public static final StructType VIEWS = new StructType()
      .add("question_id", DataTypes.StringType).add("question", DataTypes.StringType)
      .add("view_index", DataTypes.IntegerType).add("view", DataTypes.StringType);
  public static final StructType RESPONSES = VIEWS
      .add("response", DataTypes.StringType).add("generator", DataTypes.StringType);
  public static final StructType JUDGED = PairStages.PAIRS
      .add("winner_ab", DataTypes.StringType).add("winner_ba", DataTypes.StringType)
      .add("judge_raw_ab", DataTypes.StringType).add("judge_raw_ba", DataTypes.StringType)
      .add("enough_information", DataTypes.BooleanType).add("missing", DataTypes.StringType)
      .add("judge", DataTypes.StringType);

  private LlmStages() {}

  /**
   * Expands each persona's traits into a description.
   *
   * <pre>
   * user_id   | traits                              | -> | ... | description
   * rev-000000| {length: short, sentiment: positive}|    | ... | Dana, 34, writes upbeat two-line reviews ...
   * rev-000001| {length: long, sentiment: negative} |    | ... | A retired engineer who documents every flaw ...
   * rev-000002| {length: short, sentiment: negative}|    | ... | (quarantined: invalid_output after one repair)
   * </pre>
   */
  public static LlmMapper.Split withPersonas(Dataset<Row> personas, LlmContext ctx, LlmPipelineConfig pipeline) {
    requireColumns("withPersonas", personas, "user_index", "user_id", "traits");
    ModelSpec model = pipeline.personaModel();
    return LlmMapper.map(personas, USERS, ctx.permits(), row -> {
      String userId = row.getString(1);
      Map<String, String> traits = new java.util.TreeMap<>(scala.jdk.javaapi.CollectionConverters.asJava(
          row.<scala.collection.Map<String, String>>getAs(2)));
      String prompt = LlmContext.fill(ctx.template(Prompts.PERSONA), Map.of("traits", traitText(traits)));
      return structured(ctx, "personas", userId, request(ctx, model, prompt, "personas", userId,
          Prompts.PERSONA_SCHEMA, pipeline.maxTokens()), json -> Outcome.of(new Object[] {row.getLong(0), userId,
              row.get(2), json.get("description").asText().strip()}));
    });
  }

  /** Writes one question per slot (global or trait-specific); see {@link PairStages#questionSlots}. */
  public static LlmMapper.Split withQuestions(Dataset<Row> slots, LlmContext ctx, LlmPipelineConfig pipeline) {
    requireColumns("withQuestions", slots, "question_id", "scope_key", "scope_value", "slot_index");
    ModelSpec model = pipeline.personaModel();
    String seeds = pipeline.seedQuestions().isEmpty() ? "(none)" : "- " + String.join("\n- ", pipeline.seedQuestions());
    return LlmMapper.map(slots, QUESTIONS, ctx.permits(), row -> {
      String id = row.getString(0), key = row.getString(1), value = row.getString(2);
      String audience = key == null ? "anyone" : "a person whose " + key + " is " + value;
      String prompt = LlmContext.fill(ctx.template(Prompts.QUESTION), Map.of("audience", audience,
          "seed_questions", seeds, "index", String.valueOf(row.getInt(3) + 1)));
      return structured(ctx, "questions", id, request(ctx, model, prompt, "questions", id, Prompts.QUESTION_SCHEMA,
          pipeline.maxTokens()), json -> Outcome.of(new Object[] {id, key, value,
              json.get("question").asText().strip()}));
    });
  }

  /** Proposes K distinct viewpoints per question and explodes them, one row per view. */
  public static LlmMapper.Split withViews(Dataset<Row> questions, LlmContext ctx, LlmPipelineConfig pipeline) {
    requireColumns("withViews", questions, "question_id", "question");
    int k = pipeline.viewsPerQuestion();
    ModelSpec model = pipeline.personaModel();
    return LlmMapper.map(questions.select("question_id", "question"), VIEWS, ctx.permits(), row -> {
      String id = row.getString(0), question = row.getString(1);
      String prompt = LlmContext.fill(ctx.template(Prompts.VIEWS), Map.of("question", question,
          "k", String.valueOf(k)));
      return structured(ctx, "views", id, request(ctx, model, prompt, "views", id, Prompts.viewsSchema(k),
          pipeline.maxTokens()), json -> {
            List<Object[]> rows = new ArrayList<>();
            for (int i = 0; i < k; i++) {
              rows.add(new Object[] {id, question, i, json.get("views").get(i).asText().strip()});
            }
            return Outcome.of(rows);
          });
    });
  }

  /** One response per (question, view); generators are used round-robin by view index (the model ensemble). */
  public static LlmMapper.Split withResponses(Dataset<Row> views, LlmContext ctx, LlmPipelineConfig pipeline) {
    requireColumns("withResponses", views, "question_id", "question", "view_index", "view");
    return LlmMapper.map(views.select("question_id", "question", "view_index", "view"), RESPONSES, ctx.permits(),
        row -> {
          String id = row.getString(0) + "/" + row.getInt(2);
          ModelSpec model = pipeline.generators().get(row.getInt(2) % pipeline.generators().size());
          String prompt = LlmContext.fill(ctx.template(Prompts.RESPONSE), Map.of("question", row.getString(1),
              "view", row.getString(3)));
          LlmResult result = ctx.client().complete(request(ctx, model, prompt, "responses", id, null,
              pipeline.maxTokens()));
          if (!result.isOk()) {
            return quarantine("responses", id, result);
          }
          if (result.content().isBlank()) {
            return Outcome.quarantined(new QuarantineRecord("responses", id, id, "empty_response",
                "the model returned an empty response", result.content(), result.attempts()));
          }
          return Outcome.of(new Object[] {row.getString(0), row.getString(1), row.getInt(2), row.getString(3),
              result.content().strip(), model.model()});
        });
  }

  /**
   * Judges each pair in both orders: (A, B) = (response_a, response_b), then swapped. Keeps both raw verdicts;
   * {@link PairStages#filterPositionFlips} drops pairs whose verdict depends on the order.
   *
   * <pre>
   * user_id | question_id | a | b | -> | winner_ab | winner_ba | judge_raw_ab                 | ...
   * u0      | g000        | 0 | 1 |    | A         | B         | {"preferred":"A",...}        | consistent: a wins
   * u0      | g000        | 0 | 2 |    | A         | A         | {"preferred":"A",...}        | position flip
   * u1      | g000        | 1 | 2 |    | B         | A         | {"preferred":"B",...}        | consistent: b wins
   * </pre>
   */
  public static LlmMapper.Split withJudgement(Dataset<Row> pairs, LlmContext ctx, LlmPipelineConfig pipeline) {
    requireColumns("withJudgement", pairs, PairStages.PAIRS.fieldNames());
    ModelSpec judge = pipeline.judge();
    String[] names = PairStages.PAIRS.fieldNames();
    return LlmMapper.map(pairs.select(names[0], java.util.Arrays.copyOfRange(names, 1, names.length)), JUDGED,
        ctx.permits(), row -> {
          String id = row.getString(0) + "/" + row.getString(1) + "/" + row.getInt(4) + "-" + row.getInt(5);
          String question = row.getString(2), description = row.getString(3);
          String a = row.getString(6), b = row.getString(7);
          JsonAnswer.Parsed ab = JsonAnswer.complete(ctx.client(), request(ctx, judge, judgePrompt(ctx,
              description, question, a, b), "judge", id + "/ab", Prompts.JUDGE_SCHEMA, pipeline.maxTokens()));
          if (!ab.isOk()) {
            return quarantine("judge", id, ab.result());
          }
          JsonAnswer.Parsed ba = JsonAnswer.complete(ctx.client(), request(ctx, judge, judgePrompt(ctx,
              description, question, b, a), "judge", id + "/ba", Prompts.JUDGE_SCHEMA, pipeline.maxTokens()));
          if (!ba.isOk()) {
            return quarantine("judge", id, ba.result().withAttempts(ab.result().attempts() + ba.result().attempts()));
          }
          Object[] values = new Object[JUDGED.size()];
          for (int i = 0; i < names.length; i++) {
            values[i] = row.get(i);
          }
          boolean enough = ab.value().get("enough_information").asBoolean()
              && ba.value().get("enough_information").asBoolean();
          String missing = (ab.value().get("missing").asText().strip() + " " + ba.value().get("missing").asText()
              .strip()).strip();
          Object[] judged = {ab.value().get("preferred").asText(), ba.value().get("preferred").asText(),
              ab.result().content(), ba.result().content(), enough, missing, judge.model()};
          System.arraycopy(judged, 0, values, names.length, judged.length);
          return Outcome.of(values);
        });
  }

  static String judgePrompt(LlmContext ctx, String description, String question, String a, String b) {
    return LlmContext.fill(ctx.template(Prompts.JUDGE), Map.of("description", description, "question", question,
        "response_a", a, "response_b", b));
  }

  static String traitText(Map<String, String> traits) {
    StringBuilder text = new StringBuilder();
    traits.forEach((key, value) -> text.append(text.length() == 0 ? "" : "; ").append(key).append(": ").append(value));
    return text.toString();
  }

  private static ChatRequest request(LlmContext ctx, ModelSpec model, String prompt, String stage, String key,
      String schema, int maxTokens) {
    long seed = Seeds.mix(ctx.seed(), stage.hashCode(), key.hashCode()) & 0x7fffffffL; // servers want a small int
    return new ChatRequest(model.model(), List.of(ChatMessage.user(prompt)), model.temperature(), maxTokens, seed,
        schema);
  }

  private static Outcome structured(LlmContext ctx, String stage, String key, ChatRequest request,
      Function<JsonNode, Outcome> onValid) {
    JsonAnswer.Parsed parsed = JsonAnswer.complete(ctx.client(), request);
    return parsed.isOk() ? onValid.apply(parsed.value()) : quarantine(stage, key, parsed.result());
  }

  private static Outcome quarantine(String stage, String key, LlmResult failed) {
    return Outcome.quarantined(new QuarantineRecord(stage, key, key, failed.reason(), failed.detail(),
        failed.raw(), failed.attempts()));
  }
}
