package org.fspo.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;

/**
 * The {@code fspo} command: one root with a subcommand per job, each a {@code Callable<Integer>} in its own file
 * (picocli's Git example). scripts/fspo starts it locally; spark-submit starts it from the shaded jar.
 *
 * <p>Exit codes (sysexits.h): 0 success, 64 usage error (bad option or value), 65 bad input data, 66 input not
 * found, 70 internal error, 73 cannot create the output, 78 bad config. A user error prints one line on stderr;
 * an internal error prints one line too, and its stack trace only with {@code --verbose}. See docs/cli.md.
 *
 * <p>To add a subcommand: write {@code XxxCommand implements Callable<Integer>} in this package with
 * {@code @Command(name = "xxx")}, and list it in {@code subcommands} below.
 */
@Command(
    name = "fspo",
    mixinStandardHelpOptions = true,
    versionProvider = FspoVersion.class,
    description = "Few-Shot Preference Optimization: import or synthesize per-user preferences, train, evaluate.",
    subcommands = {ImportCommand.class, RenderCommand.class, SynthCommand.class, TrainCommand.class,
        EvalCommand.class, GenerateCommand.class, PipelineCommand.class, ServeCommand.class, ExportCommand.class,
        HelpCommand.class})
public final class Fspo implements Runnable {
  @Mixin VerbosityMixin verbosity;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Without a subcommand: the usage, and exit code 64. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** The command line with the project's error handling; what main runs and what tests should execute. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Fspo());
    ErrorHandler handler = new ErrorHandler();
    commandLine.setExecutionExceptionHandler(handler);
    commandLine.setParameterExceptionHandler(handler);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    return commandLine;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
