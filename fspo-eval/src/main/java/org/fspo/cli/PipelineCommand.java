package org.fspo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.config.ConfigLoader;
import org.fspo.core.io.OutputFolder;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Split;
import org.fspo.eval.metrics.Method;
import org.fspo.eval.pipeline.EvalRunner;
import org.fspo.eval.pipeline.PipelineConfig;
import org.fspo.eval.report.Report;
import org.fspo.eval.report.ReportMarkdown;
import org.fspo.eval.scoring.EvalConfig;
import org.fspo.synth.job.SynthConfig;
import org.fspo.synth.job.SynthJob;
import org.fspo.synth.store.EpisodeStore;
import org.fspo.train.loop.ResumeCheck;
import org.fspo.train.loop.TrainConfig;
import org.fspo.train.loop.TrainJob;
import org.fspo.train.loop.Trainer;
import org.fspo.train.loop.TrainedRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fspo pipeline}: synth (procedural users), train every method's run from scratch, evaluate, print where the
 * report is. One config file drives all three (synth:, train:, eval:, pipeline: sections). Output layout:
 *
 * <pre>
 *   OUT/pipeline.yaml      the effective config and the command line
 *   OUT/store/             the episode store (fspo synth)
 *   OUT/runs/METHOD/       one training run per method that needs one (fspo train); pref_ft uses runs/fspo/sft
 *   OUT/report/            report.json, report.md, PNG plots, pair_scores.parquet (fspo eval)
 * </pre>
 *
 * Re-running into the same OUT reuses what is done: the same store is not rewritten, a finished run is not retrained
 * and an interrupted one resumes from its last checkpoint; the report is always rewritten.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
      "Synthesize procedural users, train FSPO and its baselines from scratch, evaluate on held-out users, and"
          + " print where the report is. The demo: fspo pipeline --config conf/demo.yaml --out out/demo"
    })
final class PipelineCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin VerbosityMixin verbosity;
  @Mixin ConfigMixin config;
  @Mixin SparkMixin sparkOptions;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output folder (store, runs, report).")
  Path out;

  @Option(names = "--no-progress", description = "No progress bars (logs, CI).")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    PrintWriter log = spec.commandLine().getOut();
    ConfigLoader loader = config.loader();
    SynthConfig synth = loader.section("synth", SynthConfig.class);
    PipelineConfig pipeline = loader.section("pipeline", PipelineConfig.class);
    EvalConfig eval = loader.section("eval", EvalConfig.class).withMethods(pipeline.methods());
    // OUT: new, empty, or a pipeline folder fspo wrote (pipeline.yaml "# fspo ..." before the marker existed)
    OutputFolder.claim(out, OutputFolder.PIPELINE, "--out", PipelineCommand::isLegacyPipeline);
    Files.writeString(out.resolve("pipeline.yaml"), "# fspo " + String.join(" ", spec.commandLine().getParseResult()
        .originalArgs()) + "\n" + ConfigLoader.toYaml(java.util.Map.of("synth", synth, "pipeline", pipeline,
        "eval", eval)));
    Path store = out.resolve("store"), runs = out.resolve("runs"), report = out.resolve("report");
    long start = System.nanoTime();
    Report result;
    try (SparkSession spark = SparkSessions.start("fspo pipeline", sparkOptions.master(), verbosity.verbose())) {
      log.println("[1/3] synth -> " + store);
      SynthJob.run(spark, synth, store, false, log);
      List<PreferencePair> train = EpisodeStore.loadPreferences(spark, store.toString(), Split.TRAIN);
      for (Method run : pipeline.runs()) {
        train(run, pipeline.overrides(run), train, runs, pipeline.initSource(run), log);
      }
      log.println("[3/3] eval -> " + report);
      result = EvalRunner.run(spark, eval, runs, store, null, report, null, log);
    }
    log.println(ReportMarkdown.accuracyTable(result));
    log.printf("pipeline done in %.1f min; report: %s%n", (System.nanoTime() - start) / 6e10,
        report.resolve("report.md"));
    log.flush();
    return 0;
  }

  static boolean isLegacyPipeline(Path dir) {
    try (java.io.BufferedReader reader = Files.newBufferedReader(dir.resolve("pipeline.yaml"))) {
      String first = reader.readLine();
      return first != null && first.startsWith("# fspo ");
    } catch (IOException e) {
      return false;
    }
  }

  /** Where a finished run records the run it started from (pipeline.init_from), so a rerun can check it. */
  static final String INIT_FROM_FILE = "pipeline-init-from.txt";

  /**
   * @param runs   the folder of runs by method
   * @param source the run whose stage-1 model this one starts from, or null for a fresh model
   */
  private void train(Method run, List<String> overrides, List<PreferencePair> pairs, Path runs, Method source,
      PrintWriter log) throws IOException {
    Path dir = runs.resolve(run.key());
    Path init = source == null ? null : runs.resolve(source.key()).resolve("sft");
    String from = source == null ? "none" : source.key();
    List<String> sets = new ArrayList<>(config.sets());
    sets.addAll(run.trainingSets());
    sets.addAll(overrides); // pipeline.train_overrides: this run only
    TrainConfig trainConfig = TrainConfig.load(config.file(), sets.stream().filter(s -> s.startsWith("train.")).toList());
    if (TrainedRun.isFinished(dir)) { // final/ is a full model, or a LoRA run's adapter
      ResumeCheck.requireReusable(dir, trainConfig);
      Path recorded = dir.resolve(INIT_FROM_FILE);
      String was = Files.isRegularFile(recorded) ? Files.readString(recorded).strip() : "none";
      if (!was.equals(from)) {
        throw new FspoUserException(dir + ": this finished run started from " + (was.equals("none") ? "a fresh model"
            : "the " + was + " run") + ", and pipeline.init_from now starts it from " + (from.equals("none")
            ? "a fresh model" : "the " + from + " run") + "; delete " + dir + " to retrain it, or write the pipeline "
            + "to a new --out folder", FspoUserException.CONFIG);
      }
      log.println("[2/3] train " + run.key() + ": " + dir + " is finished; reusing it");
      return;
    }
    boolean resume = Files.isDirectory(dir);
    log.println("[2/3] train " + run.key() + " -> " + dir + (init == null ? "" : " from " + init)
        + (resume ? " (resuming)" : ""));
    log.flush();
    Trainer.Result result = TrainJob.run(trainConfig, pairs, dir, init,
        new Trainer.Options(resume, !noProgress, (stage, step) -> false), spec.commandLine().getErr());
    if (!result.completed()) {
      throw new FspoUserException("training of " + run.key() + " stopped early; re-run the pipeline to resume it",
          FspoUserException.DATA);
    }
    Files.writeString(dir.resolve(INIT_FROM_FILE), from + "\n");
  }
}
