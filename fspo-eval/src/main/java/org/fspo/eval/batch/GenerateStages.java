package org.fspo.eval.batch;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.struct;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.schema.Columns;
import org.fspo.eval.generate.ModelResponseWriter;
import org.fspo.eval.generate.ShotPicker;
import org.fspo.eval.metrics.Method;

/**
 * The Dataset stages of `fspo generate` after the questions are read ({@link GenerateInputs}).
 *
 * <pre>
 * withUserPairs: questions ⋈ (user_id -> the user's stored pairs)
 *   row_id | user_id | question | pairs                    -- pairs null: the store has no such user
 *   0      | u1      | Tea?     | [{p1, ...}, {p2, ...}]
 *   1      | u9      | Rain?    | null
 * generate (N = 1 shot): one outcome per row, a response or a quarantine reason
 *   row_id | user_id | response          | shot_pair_ids | reason
 *   0      | u1      | "warm words ..."  | [p2]          |
 *   1      | u9      |                   |               | unknown_user
 * </pre>
 *
 * A method prompted without shots (population, oracle) picks none: no shot ids, and no user has too few pairs for it.
 * The oracle is prompted with the user's stored description; a user without one is quarantined (no_description).
 */
public final class GenerateStages {
  private GenerateStages() {}

  /** Loads the method's response writer once per partition (so the run folder must be readable on executors). */
  @FunctionalInterface
  public interface WriterLoader extends Serializable {
    ModelResponseWriter load();
  }

  /** Adds {@code pairs}: the user's stored pairs as structs (null for a user the store does not have). */
  public static Dataset<Row> withUserPairs(Dataset<Row> questions, Dataset<Row> storePairs) {
    Dataset<Row> byUser = storePairs
        .groupBy(col(Columns.USER_ID).as("pairs_user"))
        .agg(collect_list(struct(col(Columns.USER_ID), col(Columns.PAIR_ID), col(Columns.PROMPT),
            col(Columns.CHOSEN), col(Columns.REJECTED), col(Columns.USER_DESCRIPTION), col(Columns.DOMAIN),
            col(Columns.SPLIT))).as("pairs"));
    return questions.join(byUser, questions.col(Columns.USER_ID).equalTo(byUser.col("pairs_user")), "left")
        .drop("pairs_user");
  }

  /** One {@link GenerateTables#OUTCOME} row per input row: generated with its shots, or quarantined with a reason. */
  public static Dataset<Row> generate(Dataset<Row> withPairs, WriterLoader loader, Method method, int shots,
      long seed) {
    int used = method.zeroShot() ? 0 : shots;
    boolean needsDescription = method.promptedWithTrueDescription();
    MapPartitionsFunction<Row, Row> f = it -> generatePartition(it, loader, used, needsDescription, seed);
    return withPairs.mapPartitions(f, Encoders.row(GenerateTables.OUTCOME));
  }

  private static Iterator<Row> generatePartition(Iterator<Row> it, WriterLoader loader, int shots,
      boolean needsDescription, long seed) {
    List<Row> out = new ArrayList<>();
    ModelResponseWriter writer = null; // loaded on the first row that needs it: once per partition
    while (it.hasNext()) {
      Row r = it.next();
      long rowId = r.getLong(r.fieldIndex("row_id"));
      String userId = r.getString(r.fieldIndex(Columns.USER_ID));
      String questionId = r.getString(r.fieldIndex("question_id"));
      String question = r.getString(r.fieldIndex("question"));
      String reason = r.getString(r.fieldIndex("reason"));
      if (reason != null) {
        out.add(quarantined(rowId, userId, questionId, question, reason, r.getString(r.fieldIndex("detail"))));
        continue;
      }
      List<Row> stored = r.isNullAt(r.fieldIndex("pairs")) ? null : r.getList(r.fieldIndex("pairs"));
      if (stored == null) {
        out.add(quarantined(rowId, userId, questionId, question, GenerateTables.UNKNOWN_USER,
            "user '" + userId + "' has no pairs in the episode store"));
        continue;
      }
      List<PreferencePair> userPairs = stored.stream().map(GenerateStages::pair).toList();
      List<PreferencePair> picked = ShotPicker.pick(userPairs, questionId, question, shots, seed);
      if (picked == null) {
        out.add(quarantined(rowId, userId, questionId, question, GenerateTables.TOO_FEW_PAIRS,
            "user '" + userId + "' has " + (userPairs.size()) + " stored pairs, fewer than " + shots
                + " besides this question; use fewer --shots"));
        continue;
      }
      String description = PreferencePair.firstDescription(userPairs);
      if (needsDescription && description == null) {
        out.add(quarantined(rowId, userId, questionId, question, GenerateTables.NO_DESCRIPTION,
            "user '" + userId + "' has no stored user description, which this method is prompted with; import the "
                + "users' descriptions, or use a method that reads shots"));
        continue;
      }
      if (writer == null) {
        writer = loader.load();
      }
      PreferencePair query = new PreferencePair(userId, questionId, question, "-", "-", description, null, null, null);
      Episode episode = new Episode(userId, picked, query);
      int promptTokens = writer.codec().encode(writer.prompt(episode)).length;
      int maxTokens = writer.generator().config().maxTokens();
      int context = writer.generator().contextTokens();
      if (promptTokens + maxTokens > context) {
        out.add(quarantined(rowId, userId, questionId, question, GenerateTables.PROMPT_TOO_LONG,
            "prompt " + promptTokens + " tokens + max_tokens " + maxTokens + " > the model's context " + context
                + "; use fewer --shots or a smaller --max-tokens"));
        continue;
      }
      ModelResponseWriter.Sample sample = writer.sample(episode);
      out.add(RowFactory.create(rowId, userId, questionId, question, sample.response(),
          picked.stream().map(PreferencePair::pairId).toArray(String[]::new), null, null,
          writer.writesDescription() ? ModelResponseWriter.descriptionPart(sample.raw()) : null));
    }
    return out.iterator();
  }

  private static Row quarantined(long rowId, String userId, String questionId, String question, String reason,
      String detail) {
    return RowFactory.create(rowId, userId, questionId, question, null, null, reason, detail, null);
  }

  private static PreferencePair pair(Row s) {
    return new PreferencePair(s.getString(0), s.getString(1), s.getString(2), s.getString(3), s.getString(4),
        s.getString(5), s.getString(6), s.getString(7), null);
  }
}
