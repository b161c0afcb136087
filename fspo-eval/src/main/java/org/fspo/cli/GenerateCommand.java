package org.fspo.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.Split;
import org.fspo.core.io.OutputFolder;
import org.fspo.eval.batch.GenerateInputs;
import org.fspo.eval.batch.GenerateJob;
import org.fspo.eval.generate.SamplingConfig;
import org.fspo.eval.metrics.Method;
import org.fspo.synth.store.EpisodeStore;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fspo generate}: personalized responses in batch, on Spark executors ({@link GenerateJob}): for each
 * (user_id, question) row, the user's N shots from the episode store, then the method's sampled response. Writes
 * OUT/responses/ and OUT/quarantine/ (Parquet) and OUT/manifest.json; a rerun into the same OUT resumes.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Generate personalized responses for (user, question) rows with a trained run: each user's N shots come from"
          + " the episode store. Every input row ends up in OUT/responses/ or OUT/quarantine/ (unknown_user,"
          + " too_few_pairs, prompt_too_long, invalid_json, missing_field). Re-running into the same OUT resumes."
    })
final class GenerateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin VerbosityMixin verbosity;
  @Mixin SparkMixin sparkOptions;

  @Option(names = "--run", paramLabel = "RUN_DIR", required = true,
      description = "The trained run that provides --method (an fspo train --out folder).")
  Path run;

  @Option(names = "--method", paramLabel = "METHOD", defaultValue = "fspo",
      description = "fspo (default), fspo_cot, pref_ft, population or oracle; the run must have trained it.")
  String method;

  @Option(names = "--episodes", paramLabel = "STORE", required = true,
      description = "Episode store holding the users' pairs (their shots).")
  Path episodes;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--questions", paramLabel = "FILE",
        description = "JSONL (.gz) or Parquet rows with user_id, question and optionally question_id.")
    Path questions;

    @Option(names = "--split", paramLabel = "SPLIT",
        description = "Answer every pair's question of this split of the store (train or test); shots exclude it.")
    String split;
  }

  @Option(names = "--shots", paramLabel = "N", required = true, description = "Shots per prompt.")
  int shots;

  @Option(names = "--temperature", defaultValue = "0.7", description = "0 = greedy (default 0.7).")
  double temperature;

  @Option(names = "--top-p", defaultValue = "0.9", description = "Nucleus sampling (default 0.9).")
  double topP;

  @Option(names = "--max-tokens", defaultValue = "160", description = "Most new tokens per response (default 160).")
  int maxTokens;

  @Option(names = "--num-beams", defaultValue = "1",
      description = "Beam search over this many hypotheses; needs --temperature 0 (default 1: none).")
  int numBeams;

  @Option(names = "--no-repeat-ngram-size", defaultValue = "0",
      description = "Never repeat an n-gram of this size within a response (default 0: off).")
  int noRepeatNgramSize;

  @Option(names = "--presence-penalty", defaultValue = "0",
      description = "OpenAI's presence_penalty in [-2, 2] over the response's tokens; not with beams (default 0).")
  double presencePenalty;

  @Option(names = "--frequency-penalty", defaultValue = "0",
      description = "OpenAI's frequency_penalty in [-2, 2] over the response's tokens; not with beams (default 0).")
  double frequencyPenalty;

  @Option(names = "--seed", defaultValue = "0", description = "Sampling and shot-choice seed (default 0).")
  long seed;

  @Option(names = "--partitions", defaultValue = "8", description = "Spark partitions per chunk (default 8).")
  int partitions;

  @Option(names = "--chunk-rows", defaultValue = "2000", description = "Rows per chunk, the unit of resume.")
  int chunkRows;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output folder.")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter log = spec.commandLine().getErr();
    Method m;
    SamplingConfig sampling;
    try {
      m = Method.fromKey(method);
      sampling = new SamplingConfig(temperature, topP, maxTokens, seed, numBeams, noRepeatNgramSize, presencePenalty,
          frequencyPenalty);
    } catch (IllegalArgumentException e) {
      throw new FspoUserException(e.getMessage(), FspoUserException.USAGE);
    }
    if (input.split != null && !input.split.equals(Split.TRAIN) && !input.split.equals(Split.TEST)) {
      throw new FspoUserException("--split must be train or test, got '" + input.split + "'", FspoUserException.USAGE);
    }
    OutputFolder.refuseInputsInside(out, "--out", java.util.Arrays.asList(run, episodes, input.questions));
    Path provider = org.fspo.eval.pipeline.RunMethods.locate(run, java.util.List.of(m.key())).get(m.key());
    GenerateJob.Summary summary;
    try (SparkSession spark = SparkSessions.start("fspo generate", sparkOptions.master(), verbosity.verbose())) {
      String store = episodes.toString();
      String storeId = EpisodeStore.manifest(spark, store).fingerprint();
      Dataset<Row> pairs = EpisodeStore.preferences(spark, store, input.split);
      Dataset<Row> questions = input.questions != null ? GenerateInputs.fromFile(spark, input.questions)
          : GenerateInputs.fromPairs(spark, pairs);
      String inputId = input.questions != null ? "file:" + GenerateJob.fileHash(input.questions) + "|store:" + storeId
          : "split:" + input.split + "|store:" + storeId;
      summary = GenerateJob.run(spark, new GenerateJob.Request(provider, m, shots, sampling, inputId, partitions,
          chunkRows), questions, pairs, out, log);
    }
    spec.commandLine().getOut().printf("generate: %d rows -> %d responses + %d quarantined (%d chunks, %d already "
        + "done); %s%n", summary.input(), summary.responses(), summary.quarantined(), summary.chunks(),
        summary.chunksSkipped(), out);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
