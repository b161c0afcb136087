package org.fspo.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.config.ConfigLoader;
import org.fspo.eval.pipeline.EvalRunner;
import org.fspo.eval.report.Report;
import org.fspo.eval.report.ReportMarkdown;
import org.fspo.eval.scoring.EvalConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fspo eval}: reward accuracy vs shots, win rates and the report folder of trained runs (docs/eval.md). */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate trained runs on the held-out users (split test) of an episode store: reward accuracy against shots"
          + " with a bootstrap CI over users for fspo, fspo_cot, pref_ft, population and oracle, win rates of"
          + " generated responses, and a report folder (report.json, report.md, PNG plots, pair_scores.parquet).",
      "RUN_DIR is one `fspo train` run folder, or a folder of runs named by method as `fspo pipeline` writes."
    })
final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin VerbosityMixin verbosity;
  @Mixin ConfigMixin config;
  @Mixin SparkMixin sparkOptions;

  @Option(names = "--run", paramLabel = "RUN_DIR", required = true, description = "Trained run folder(s).")
  Path run;

  @Option(names = "--episodes", paramLabel = "DIR", required = true, description = "Episode store to evaluate on.")
  Path episodes;

  @Option(names = "--shots", paramLabel = "N,N,...", split = ",",
      description = "Shot counts (default: eval.shots of the config, else 0,1,2,4,8).")
  List<Integer> shots;

  @Option(names = "--methods", paramLabel = "M,M,...", split = ",",
      description = "Methods to evaluate (default: eval.methods), among fspo, fspo_cot, pref_ft, population, oracle.")
  List<String> methods;

  @Option(names = "--judge-config", paramLabel = "FILE",
      description = "LLM judge for win rates (see conf/judge.yaml); without it procedural users judge by utility.")
  Path judgeConfig;

  @Option(names = "--gate", paramLabel = "REPORT_JSON",
      description = "Incumbent report.json: write gate.json, promote if not worse (a missing file: no incumbent).")
  Path gate;

  @Option(names = "--out", paramLabel = "REPORT_DIR", required = true, description = "Report folder to write.")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter log = spec.commandLine().getOut();
    EvalConfig eval = config.loader().section("eval", EvalConfig.class);
    if (shots != null) {
      eval = eval.withShots(shots);
    }
    if (methods != null) {
      eval = eval.withMethods(methods);
    }
    log.println("eval config:\n" + ConfigLoader.toYaml(eval).strip());
    Report report;
    try (SparkSession spark = SparkSessions.start("fspo eval", sparkOptions.master(), verbosity.verbose())) {
      report = EvalRunner.run(spark, eval, run, episodes, judgeConfig, out, gate, log);
    }
    log.println(ReportMarkdown.accuracyTable(report));
    log.println("report: " + out.resolve("report.md"));
    log.flush();
    return 0;
  }
}
