package org.fspo.eval.pipeline;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Split;
import org.fspo.core.episode.UserRecord;
import org.fspo.core.io.OutputFolder;
import org.fspo.eval.judge.JudgeConfig;
import org.fspo.eval.judge.LlmJudgeClient;
import org.fspo.eval.judge.PairwiseJudge;
import org.fspo.eval.judge.ProceduralOracle;
import org.fspo.eval.judge.UtilityJudge;
import org.fspo.eval.metrics.Method;
import org.fspo.eval.metrics.UtilitySanity;
import org.fspo.eval.report.Gate;
import org.fspo.eval.report.Report;
import org.fspo.eval.report.ReportJson;
import org.fspo.eval.report.ReportWriter;
import org.fspo.eval.report.TrainingCurve;
import org.fspo.eval.scoring.EvalConfig;
import org.fspo.synth.store.EpisodeStore;

/**
 * `fspo eval` as a function, shared by EvalCommand and PipelineCommand: reads the store's held-out split, locates
 * the methods' runs, picks the judge (the LLM judge with a judge config; the users' utility when every held-out user
 * has one; else no win rates), evaluates, writes the report folder, and applies the promotion gate when asked.
 */
public final class EvalRunner {
  private EvalRunner() {}

  /**
   * @param judgeConfig the LLM judge's config file, or null
   * @param gate        the incumbent's report.json for the promotion gate (a missing file means no incumbent), or null
   */
  public static Report run(SparkSession spark, EvalConfig config, Path runDir, Path store, Path judgeConfig, Path out,
      Path gate, PrintWriter log) {
    // the report folder: new, empty, or a report fspo wrote (report.json before the marker existed); never others
    OutputFolder.refuseInputsInside(out, "--out", java.util.Arrays.asList(runDir, store, judgeConfig));
    OutputFolder.claim(out, OutputFolder.EVAL_REPORT, "--out", d -> Files.isRegularFile(d.resolve("report.json")));
    List<PreferencePair> pairs = EpisodeStore.loadPreferences(spark, store.toString(), Split.TEST);
    if (pairs.isEmpty()) {
      throw new FspoUserException(store + ": no held-out pairs (split=test); write the store with a test fraction "
          + "above 0 (synth.test_fraction, fspo import --test-fraction)", FspoUserException.DATA);
    }
    List<UserRecord> users = EpisodeStore.loadUsers(spark, store.toString(), Split.TEST);
    requireDescriptions(config, pairs, store);
    ProceduralOracle oracle = new ProceduralOracle(users);
    List<String> userIds = pairs.stream().map(PreferencePair::userId).distinct().toList();
    boolean exact = oracle.covers(userIds);

    Map<String, Path> located = RunMethods.locate(runDir, config.methods());
    boolean baselineEvaluated = config.methods().contains(config.winRate().baseline());
    boolean winRates = config.winRate().enabled() && baselineEvaluated && (judgeConfig != null || exact);
    if (config.winRate().enabled() && !baselineEvaluated) {
      log.println("eval: no win rates: their baseline " + config.winRate().baseline() + " is not among the methods "
          + config.methods());
    }
    Map<String, Evaluation.MethodRun> methods = new LinkedHashMap<>();
    located.forEach((m, dir) -> methods.put(m, RunMethods.methodRun(m, dir, config.batchPairs(),
        config.winRate().generate(), winRates)));

    LlmJudgeClient llm = null;
    Evaluation.Judge judge = null;
    try {
      if (winRates && judgeConfig != null) {
        JudgeConfig jc = JudgeConfig.load(judgeConfig);
        llm = LlmJudgeClient.open(jc, out.resolve("_judge_cache"));
        judge = new Evaluation.Judge(jc.model(), new PairwiseJudge(llm)::judge);
      } else if (winRates) {
        judge = new Evaluation.Judge(UtilityJudge.NAME, new UtilityJudge(oracle)::judge);
      } else if (config.winRate().enabled() && baselineEvaluated) {
        log.println("eval: no win rates: the held-out users have no latent utility; pass --judge-config FILE");
      }
      UtilitySanity sanity = exact ? new UtilityJudge(oracle).sanity(pairs) : null;
      log.printf("eval: %d held-out pairs of %d users; methods %s; shots %s%n", pairs.size(), userIds.size(),
          methods.keySet(), config.shots());
      Evaluation.Result result = Evaluation.run(config, pairs, methods, judge, exact ? oracle : null, sanity,
          runDir.toString(), store.toString(), spark);
      if (!result.plan().skippedUsers().isEmpty()) {
        log.printf("eval: %d held-out users have fewer than %d pairs and were skipped%n",
            result.plan().skippedUsers().size(), config.shots().get(config.shots().size() - 1) + 1);
      }
      Report report = ReportWriter.write(out, result.report(), result.scores(), result.judgments(),
          trainingLogs(located), spark);
      if (gate != null) {
        Report incumbent = Files.isRegularFile(gate) ? ReportJson.read(gate) : null;
        Gate decision = Gate.decide(report, incumbent, config.gate().method(), config.gate().shots());
        decision.write(out);
        log.println("eval: gate: " + (decision.promote() ? "promote" : "keep the incumbent") + " (" + decision.reason()
            + ")");
      }
      return report;
    } finally {
      if (llm != null) {
        llm.close();
      }
    }
  }

  /** fspo_cot and oracle need the true user description of every held-out pair. */
  private static void requireDescriptions(EvalConfig config, List<PreferencePair> pairs, Path store) {
    for (String m : config.methods()) {
      if (Method.fromKey(m).needsUserDescriptions()) {
        long missing = pairs.stream().filter(p -> p.userDescription() == null || p.userDescription().isBlank()).count();
        if (missing > 0) {
          throw new FspoUserException(store + ": " + missing + " held-out pairs have no user_description, which "
              + m + " needs; drop " + m + " from eval.methods", FspoUserException.DATA);
        }
      }
    }
  }

  /** The training curves of the fspo run (else the first run): its sft and fspo stages. */
  private static List<Map<String, TrainingCurve>> trainingLogs(Map<String, Path> located) {
    Path dir = located.getOrDefault(Method.FSPO.key(), located.values().iterator().next());
    Path metrics = dir.resolve("metrics.jsonl");
    List<Map<String, TrainingCurve>> logs = new ArrayList<>();
    if (Files.isRegularFile(metrics)) {
      logs.addAll(TrainingCurve.readStages(metrics, dir.getFileName().toString()).values());
    }
    return logs;
  }
}
