package org.fspo.eval.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.episode.PreferencePair;
import org.fspo.eval.generate.ResponseWriter;
import org.fspo.eval.judge.JudgeItem;
import org.fspo.eval.judge.Judgment;
import org.fspo.eval.judge.SampleRater;
import org.fspo.eval.judge.SampleRatings;
import org.fspo.eval.metrics.BootstrapCi;
import org.fspo.eval.metrics.PairScore;
import org.fspo.eval.metrics.PromptFitCell;
import org.fspo.eval.metrics.RewardAccuracy;
import org.fspo.eval.metrics.SampleQuality;
import org.fspo.eval.metrics.UtilitySanity;
import org.fspo.eval.metrics.WinRate;
import org.fspo.eval.report.Report;
import org.fspo.eval.report.ShownSample;
import org.fspo.eval.scoring.EvalConfig;
import org.fspo.eval.scoring.EvalEpisode;
import org.fspo.eval.scoring.EvalEpisodes;
import org.fspo.eval.scoring.MethodModels;
import org.fspo.eval.scoring.MethodModelsLoader;
import org.fspo.eval.scoring.MethodSpec;
import org.fspo.eval.scoring.RewardScorer;
import org.fspo.eval.scoring.SparkRewardScoring;

/**
 * One evaluation, model-agnostic: plans the deterministic eval episodes on the held-out pairs, scores every method's
 * implicit reward on them (in this process or on Spark executors), measures win rates of generated responses against
 * the baseline with the given judge, and assembles the {@link Report}. Loading checkpoints and tokenizers is the
 * caller's business ({@link MethodModelsLoader}, {@link ResponseWriter}).
 */
public final class Evaluation {
  /** Users whose first top-shot query report.md shows with every method's response. */
  static final int SHOWN_USERS = 2;

  private Evaluation() {}

  /**
   * What one method brings: how it is scored, how its models load, and (for win rates) how it writes responses.
   *
   * @param spec   prompt and reward settings
   * @param loader loads policy and reference where scoring runs
   * @param writer generates the method's responses; null when the method takes no part in win rates
   */
  public record MethodRun(MethodSpec spec, MethodModelsLoader loader, ResponseWriter writer) {}

  /**
   * The judge of win rates.
   *
   * @param name  "utility" or the LLM judge's model name
   * @param judge turns a comparison into a judgment
   */
  public record Judge(String name, Function<JudgeItem, Judgment> judge) {}

  /**
   * Everything an evaluation produced.
   *
   * @param report    report.json's content (files not yet filled in)
   * @param scores    one row per (method, shots, pair)
   * @param judgments every judged comparison, raw verdicts included
   * @param plan      the eval episodes and the skipped users
   */
  public record Result(Report report, List<PairScore> scores, List<Judgment> judgments, EvalEpisodes.Plan plan) {}

  public static Result run(EvalConfig config, List<PreferencePair> testPairs, Map<String, MethodRun> methods,
      Judge judge, UtilitySanity sanity, String runLabel, String episodesLabel, SparkSession spark) {
    return run(config, testPairs, methods, judge, null, sanity, runLabel, episodesLabel, spark);
  }

  /**
   * @param rater the users' latent utility (procedural users), or null: with it the report adds balanced accuracy
   *              over sign patterns and the generated samples' well-formed rate and utility
   */
  public static Result run(EvalConfig config, List<PreferencePair> testPairs, Map<String, MethodRun> methods,
      Judge judge, SampleRater rater, UtilitySanity sanity, String runLabel, String episodesLabel,
      SparkSession spark) {
    EvalEpisodes.Plan plan = new EvalEpisodes(config.shots(), config.queriesPerUser(), config.seed()).plan(testPairs);
    if (plan.episodes().isEmpty()) {
      throw new org.fspo.core.FspoUserException("no held-out user has " + (config.shots().get(config.shots().size() - 1) + 1)
          + " or more pairs (" + plan.skippedUsers().size() + " skipped); lower eval.shots or add test users");
    }
    List<PairScore> scores = new ArrayList<>();
    for (MethodRun m : methods.values()) {
      scores.addAll(score(config, m, plan.episodes(), spark));
    }
    BootstrapCi bootstrap = new BootstrapCi(config.bootstrapResamples(), config.ciLevel(), config.seed());
    List<Judgment> judgments = judge == null || !config.winRate().enabled() ? List.of()
        : winRates(config, plan, methods, judge);
    Report report = new Report(Report.SCHEMA_VERSION, runLabel, episodesLabel, "test", config.shots(),
        new Report.Bootstrap(bootstrap.resamples(), bootstrap.level(), bootstrap.seed()),
        RewardAccuracy.table(scores, bootstrap, patterns(rater, plan.users())),
        judgments.isEmpty() ? Map.of() : WinRate.table(judgments.stream().map(Judgment::toPairOutcome).toList(),
            bootstrap, judge.name()),
        judgments.isEmpty() ? null : config.winRate().baseline(), sanity, null,
        rater == null ? Map.of() : SampleQuality.table(SampleRatings.rate(judgments, config.winRate().baseline(), rater)),
        ShownSample.pick(judgments, config.winRate().baseline(), rater, SHOWN_USERS), PromptFitCell.table(scores),
        judgments.isEmpty() ? null : config.winRate().generate());
    return new Result(report, scores, judgments, plan);
  }

  /** User id to the sign pattern of its utility weights, for the users that have one. */
  private static Map<String, String> patterns(SampleRater rater, List<String> users) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rater != null) {
      users.forEach(u -> {
        String p = rater.pattern(u);
        if (p != null) {
          out.put(u, p);
        }
      });
    }
    return out;
  }

  private static List<PairScore> score(EvalConfig config, MethodRun m, List<EvalEpisode> episodes, SparkSession spark) {
    if (EvalConfig.SPARK.equals(config.executor())) {
      return SparkRewardScoring.score(spark, m.spec(), episodes, m.loader(), config.partitions(), config.batchPairs());
    }
    try (MethodModels models = m.loader().load()) {
      return new RewardScorer(config.batchPairs())
          .score(m.spec(), episodes, models.policy(), models.reference(), models.writer());
    }
  }

  private static List<Judgment> winRates(EvalConfig config, EvalEpisodes.Plan plan, Map<String, MethodRun> methods,
      Judge judge) {
    EvalConfig.WinRateConfig w = config.winRate();
    MethodRun baseline = methods.get(w.baseline());
    if (baseline == null || baseline.writer() == null) {
      throw new org.fspo.core.FspoUserException("eval.win_rate.baseline '" + w.baseline()
          + "' is not among the evaluated methods " + methods.keySet() + "; add it to eval.methods or change it");
    }
    List<EvalEpisode> chosen = new ArrayList<>();
    Map<String, Integer> perUserQueries = new LinkedHashMap<>();
    for (EvalEpisode e : plan.episodes()) {
      String user = e.episode().userId();
      String queryKey = user + "|" + e.episode().query().pairId();
      if (!w.shots().contains(e.shots())) {
        continue;
      }
      Integer index = perUserQueries.computeIfAbsent(queryKey,
          k -> (int) perUserQueries.keySet().stream().filter(q -> q.startsWith(user + "|")).count());
      if (index < w.queriesPerUser()) {
        chosen.add(e);
      }
    }
    Map<String, ResponseWriter> writers = new LinkedHashMap<>();
    methods.forEach((key, m) -> {
      if (m.writer() != null) {
        writers.put(key, m.writer());
      }
    });
    return WinRates.judge(chosen, writers, w.baseline(), baseline.writer(), baseline.spec().zeroShot(), judge.judge());
  }
}
