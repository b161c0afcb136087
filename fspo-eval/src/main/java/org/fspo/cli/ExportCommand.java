package org.fspo.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.fspo.train.loop.RunExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fspo export}: a finished run's policy for other tools ({@link RunExport}). With {@code --merge}, one full
 * Hugging Face model folder (a LoRA run's adapter merged into its base); without, a LoRA run's reference base and its
 * PEFT adapter folder (OUT/base, OUT/adapter). Prints the folder to load to stdout.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = "Export a trained run's policy: a merged full model (--merge), or a LoRA run's base + PEFT adapter.")
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin VerbosityMixin verbosity;

  @Option(names = "--run", paramLabel = "RUN_DIR", required = true, description = "A finished fspo train --out folder.")
  Path run;

  @Option(names = "--merge", description = "Write one full model folder (adapter merged into its base).")
  boolean merge;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "New or empty output folder.")
  Path out;

  @Override
  public Integer call() {
    RunExport.export(run, merge, out);
    spec.commandLine().getOut().println(out.resolve(merge ? "" : RunExport.ADAPTER).normalize());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
