package org.fspo.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.config.ConfigLoader;
import org.fspo.synth.job.SynthConfig;
import org.fspo.synth.job.SynthJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fspo synth}: synthetic users into an episode store ({@link SynthJob}; docs/synth.md). */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {
      "Synthesize users and their labelled preference pairs into an episode store: procedural users (no server,"
          + " conf/synth-procedural.yaml) or personas, questions, responses and judged pairs through an"
          + " OpenAI-compatible server (conf/reviews.yaml, conf/elix.yaml, conf/roleplay.yaml).",
      "Prints items in = out + quarantined per stage. Re-running the same config into the same folder changes"
          + " nothing; a different config aimed at a store needs --overwrite; a folder that is not a store is never"
          + " written (exit 73). LLM answers are cached beside the store (OUT.llm_cache), so a rerun after a crash"
          + " makes no call twice; failures are never cached. An unreachable server stops the job (exit 69), and a"
          + " run that ends with no preferences exits 65."
    })
final class SynthCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin VerbosityMixin verbosity;
  @Mixin ConfigMixin config;
  @Mixin SparkMixin sparkOptions;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Store folder to write.")
  Path out;

  @Option(names = "--overwrite", description = "Replace the store in --out (a folder with fspo's manifest.json and"
      + " nothing else), even one of this config; never a folder of other files.")
  boolean overwrite;

  @Override
  public Integer call() throws Exception {
    SynthConfig synth = config.loader().section("synth", SynthConfig.class);
    java.io.PrintWriter stdout = spec.commandLine().getOut();
    stdout.println("# effective config\nsynth:\n" + ConfigLoader.toYaml(synth).indent(2).stripTrailing());
    try (SparkSession spark = SparkSessions.start("fspo synth", sparkOptions.master(), verbosity.verbose())) {
      SynthJob.run(spark, synth, out, overwrite, stdout);
    }
    stdout.flush();
    return 0;
  }
}
