package org.fspo.synth.job;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.when;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.Split;
import org.fspo.synth.stage.LlmContext;
import org.fspo.synth.stage.LlmMapper;
import org.fspo.synth.stage.LlmStages;
import org.fspo.synth.stage.PairStages;
import org.fspo.synth.stage.LlmPipelineConfig;
import org.fspo.synth.stage.Templates;

/**
 * The LLM run: personas, questions, views, responses, judgement in both orders, position-flip filter, optional
 * persona refinement, then the store tables. Every LLM call goes through the durable cache (by default
 * {@code OUT.llm_cache} beside the store), so rerunning after a crash makes no call twice and gives the same tables.
 * Only answers are cached; a stage that meets an unreachable or refusing server stops the job ({@link Outage}).
 */
public final class LlmSynth {
  private LlmSynth() {}

  /** synth.pipeline.cache_dir, or {@code <out>.llm_cache} beside the store folder. */
  public static Path cacheDir(SynthConfig config, Path out) {
    String configured = config.pipeline().cacheDir();
    Path abs = out.toAbsolutePath().normalize();
    return configured != null ? Path.of(configured) : abs.resolveSibling(abs.getFileName() + ".llm_cache");
  }

  public static SynthOutput run(SparkSession spark, SynthConfig config, Path out, String createdAt) {
    LlmPipelineConfig pipeline = config.pipeline();
    if (pipeline.traits().isEmpty()) {
      throw new FspoUserException("synth.pipeline.traits is empty; the llm generator needs at least one trait with"
          + " values, e.g. sentiment: [positive, negative] (see conf/reviews.yaml)", FspoUserException.CONFIG);
    }
    Map<String, String> templates = Templates.load(Path.of(pipeline.templates()));
    String version = Templates.version(templates);
    int executors = executorCount(spark);
    LlmContext ctx = new LlmContext(config.llm(), cacheDir(config, out).toAbsolutePath().toString(),
        config.llm().permitsPerExecutor(executors), config.seed(), templates, version);
    String server = config.llm().baseUrl();
    List<StageCount> counts = new ArrayList<>();
    List<Dataset<Row>> quarantine = new ArrayList<>();

    Dataset<Row> personas = withSplit(PairStages.samplePersonas(spark, config.domain(), config.numUsers(),
        config.seed(), pipeline), config);
    LlmMapper.Split described = LlmStages.withPersonas(personas.drop("split"), ctx, pipeline);
    Dataset<Row> users = described.out().join(personas.select("user_id", "split"), "user_id");
    account(counts, quarantine, "personas", personas.count(), described.out().count(), described.quarantine(),
        server);

    Dataset<Row> slots = PairStages.questionSlots(spark, pipeline);
    LlmMapper.Split written = LlmStages.withQuestions(slots, ctx, pipeline);
    LlmMapper.Split distinct = PairStages.dedupeQuestions(written.out());
    account(counts, quarantine, "questions", slots.count(), distinct.out().count(),
        written.quarantine().unionByName(distinct.quarantine()), server);

    Dataset<Row> assignments = PairStages.assignQuestions(users, distinct.out(), config.seed(),
        pipeline.questionsPerUser()).localCheckpoint(true);
    Dataset<Row> asked = distinct.out().join(assignments.select("question_id").distinct(), "question_id");
    LlmMapper.Split views = LlmStages.withViews(asked, ctx, pipeline);
    account(counts, quarantine, "views", asked.count(), views.out().select("question_id").distinct().count(),
        views.quarantine(), server);
    LlmMapper.Split responses = LlmStages.withResponses(views.out(), ctx, pipeline);
    account(counts, quarantine, "responses", views.out().count(), responses.out().count(), responses.quarantine(),
        server);

    Dataset<Row> pairs = PairStages.capPairsPerUser(PairStages.explodePairs(assignments, responses.out()),
        config.seed(), config.pairsPerUser()).localCheckpoint(true);
    LlmMapper.Split judged = LlmStages.withJudgement(pairs, ctx, pipeline);
    Dataset<Row> judgeQuarantine = judged.quarantine();
    if (pipeline.refinePersonas()) {
      Dataset<Row> extra = judged.out().filter(col("enough_information").equalTo(false))
          .groupBy("user_id").agg(concat_ws("; ", sort_array(collect_set("missing"))).as("_extra"));
      users = users.join(extra, new String[] {"user_id"}, "left")
          .withColumn("description", when(col("_extra").isNotNull(),
              concat(col("description"), lit(" Also: "), col("_extra"))).otherwise(col("description")))
          .drop("_extra");
      Dataset<Row> refinedPairs = pairs.join(extra.select("user_id"), "user_id").drop("description")
          .join(users.select("user_id", "description"), "user_id");
      LlmMapper.Split rejudged = LlmStages.withJudgement(refinedPairs, ctx, pipeline);
      judged = new LlmMapper.Split(
          judged.out().join(extra.select("user_id"), new String[] {"user_id"}, "left_anti")
              .unionByName(rejudged.out()),
          judgeQuarantine.join(extra.select(col("user_id").as("source")), new String[] {"source"}, "left_anti")
              .unionByName(rejudged.quarantine()));
      judgeQuarantine = judged.quarantine();
    }
    LlmMapper.Split consistent = PairStages.filterPositionFlips(judged.out());
    account(counts, quarantine, "judge", pairs.count(), consistent.out().count(),
        judgeQuarantine.unionByName(consistent.quarantine()), server);

    Dataset<Row> labelled = consistent.out().join(users.select("user_id", "split"), "user_id").select(
        col("user_id"), col("question").as("prompt"), col("chosen"), col("rejected"),
        col("description").as("user_description"), col("split"),
        when(col("generator_a").equalTo(col("generator_b")), col("generator_a"))
            .otherwise(concat_ws(",", when(col("label_a").equalTo(1), col("generator_a")).otherwise(col("generator_b")),
                when(col("label_a").equalTo(1), col("generator_b")).otherwise(col("generator_a")))).as("generator"),
        col("judge"), col("judge_raw_ab"), col("judge_raw_ba"));
    Dataset<Row> preferences = StoreRows.preferences(labelled, config, "synth:llm", version, createdAt);
    Dataset<Row> allQuarantine = quarantine.stream().reduce(Dataset::unionByName)
        .orElse(StoreRows.emptyQuarantine(spark));
    return new SynthOutput(preferences, StoreRows.users(users.withColumn("description",
        coalesce(col("description"), lit("")))), allQuarantine, counts, Disagreement.of(consistent.out()));
  }

  /**
   * Executors the global limit is split over (unless synth.llm.executors says): 1 in local mode, else
   * spark.executor.instances when set, else the executors registered now (the driver not counted).
   */
  static int executorCount(SparkSession spark) {
    if (spark.sparkContext().isLocal()) {
      return 1;
    }
    int registered = spark.sparkContext().statusTracker().getExecutorInfos().length - 1;
    int configured = Integer.parseInt(spark.conf().get("spark.executor.instances", "0"));
    return Math.max(1, configured > 0 ? configured : registered);
  }

  private static Dataset<Row> withSplit(Dataset<Row> personas, SynthConfig config) {
    List<Row> rows = new ArrayList<>();
    for (Row row : personas.collectAsList()) {
      rows.add(org.apache.spark.sql.RowFactory.create(row.get(0), row.get(1), row.get(2),
          Split.of(row.getString(1), config.seed(), config.testFraction())));
    }
    return personas.sparkSession().createDataFrame(rows, personas.schema()
        .add("split", org.apache.spark.sql.types.DataTypes.StringType));
  }

  /** Records a stage's counts and quarantine; stops the job with one line if the stage met an {@link Outage}. */
  private static void account(List<StageCount> counts, List<Dataset<Row>> quarantine, String stage, long in,
      long out, Dataset<Row> quarantined, String server) {
    Outage.check(stage, in, out, quarantined, server);
    counts.add(new StageCount(stage, in, out, quarantined.count()));
    quarantine.add(quarantined);
  }
}
