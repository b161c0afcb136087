package org.fspo.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.fspo.synth.importer.ImportConfig;
import org.fspo.synth.importer.ImportJob;
import org.fspo.synth.importer.ImportSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fspo import}: preference files into an episode store ({@link ImportJob}; docs/store.md). */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Import per-user preference pairs (JSONL, JSONL.gz or Parquet with user_id, prompt, chosen, rejected and"
          + " optional user_description, domain) into an episode store.",
      "Unusable rows go to quarantine/ with the file, line or row, and the reason. Re-running into the same folder"
          + " changes nothing; other data aimed at a store needs --overwrite. A folder that is not a store, or"
          + " that holds one of the inputs, is never written (exit 73)."
    })
final class ImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin VerbosityMixin verbosity;
  @Mixin SeedMixin seed;
  @Mixin SparkMixin sparkOptions;

  @Option(names = "--input", paramLabel = "FILE", required = true, arity = "1..*",
      description = "Input files (.jsonl, .json, .ndjson, optionally .gz, or .parquet); earlier files win on"
          + " duplicate pairs.")
  List<String> inputs;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Store folder to write.")
  Path out;

  @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2",
      description = "Fraction of users in the test split, 0 (all train) to 1 (all test). Default: ${DEFAULT-VALUE}.")
  double testFraction;

  @Option(names = "--domain", paramLabel = "NAME", defaultValue = ImportConfig.DEFAULT_DOMAIN,
      description = "Domain of rows without a domain field. Default: ${DEFAULT-VALUE}.")
  String domain;

  @Option(names = "--overwrite", description = "Replace the store in --out (a folder with fspo's manifest.json and"
      + " nothing else); never a folder of other files.")
  boolean overwrite;

  @Override
  public Integer call() throws Exception {
    ImportConfig config = new ImportConfig(inputs, testFraction, seed.seedOr(42), domain);
    ImportSummary summary;
    try (SparkSession spark = SparkSessions.start("fspo import", sparkOptions.master(), verbosity.verbose())) {
      summary = ImportJob.run(spark, config, out.toString(), overwrite);
    }
    summary.lines().forEach(spec.commandLine().getOut()::println);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
