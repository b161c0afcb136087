package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Callable;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class FspoTest {

  @Test
  void rootHelpListsTheSubcommands() {
    CliRun run = CliRun.of("--help");
    assertEquals(0, run.exitCode());
    assertTrue(run.out().startsWith("Usage: fspo "), run.out());
    assertTrue(run.out().contains("import") && run.out().contains("render"), run.out());
    assertEquals("", run.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {"import", "render"})
  void everySubcommandHasHelp(String name) {
    CliRun run = CliRun.of(name, "--help");
    assertEquals(0, run.exitCode());
    assertTrue(run.out().startsWith("Usage: fspo " + name + " "), run.out());
    CliRun viaHelp = CliRun.of("help", name);
    assertEquals(0, viaHelp.exitCode());
    assertEquals(run.out(), viaHelp.out());
  }

  @Test
  void versionNamesProjectSparkAndJava() {
    CliRun run = CliRun.of("--version");
    assertEquals(0, run.exitCode());
    assertTrue(run.outLines().get(0).matches("fspo \\d+\\.\\d+\\.\\d+.*"), run.out());
    assertTrue(run.outLines().get(1).startsWith("Spark 4.1.1, Java 17"), run.out());
  }

  @Test
  void noSubcommandIsAUsageErrorOfOneLine() {
    CliRun run = CliRun.of();
    assertEquals(FspoUserException.USAGE, run.exitCode());
    assertEquals(1, run.errLines().size(), run.err());
  }

  @Test
  void unknownOptionAndMissingRequiredOptionAreOneLine() {
    CliRun unknown = CliRun.of("import", "--input", "x.jsonl", "--out", "o", "--bogus");
    assertEquals(FspoUserException.USAGE, unknown.exitCode());
    assertEquals(1, unknown.errLines().size(), unknown.err());
    assertTrue(unknown.err().startsWith("fspo import: Unknown option: '--bogus'"), unknown.err());
    CliRun missing = CliRun.of("render", "--episodes", "somewhere");
    assertEquals(FspoUserException.USAGE, missing.exitCode());
    assertEquals("fspo render: Missing required option: '--shots=N' (see 'fspo render --help')",
        missing.err().strip());
    assertEquals("", missing.out());
  }

  /** A stand-in subcommand to drive the handler through each kind of failure. */
  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Mixin VerbosityMixin verbosity;
    @CommandLine.Option(names = "--user") boolean user;

    @Override
    public Integer call() {
      if (user) {
        throw new IllegalStateException("wrapped", new FspoUserException("data.jsonl line 3: bad; fix it", 65));
      }
      throw new NullPointerException("something broke");
    }
  }

  private static CliRun boom(String... args) {
    CommandLine commandLine = Fspo.commandLine();
    commandLine.addSubcommand("boom", new Boom());
    return CliRun.run(commandLine, args);
  }

  @Test
  void userErrorsAnywhereInTheCauseChainPrintOneLineAndTheirCode() {
    CliRun run = boom("boom", "--user");
    assertEquals(65, run.exitCode());
    assertEquals("fspo boom: data.jsonl line 3: bad; fix it\n", run.err());
  }

  @Test
  void internalErrorsShowTheTraceOnlyWhenVerbose() {
    CliRun quiet = boom("boom");
    assertEquals(70, quiet.exitCode());
    assertEquals(1, quiet.errLines().size(), quiet.err());
    assertTrue(quiet.err().contains("java.lang.NullPointerException: something broke"), quiet.err());
    CliRun verbose = boom("boom", "--verbose");
    assertEquals(70, verbose.exitCode());
    assertTrue(verbose.errLines().size() > 3, verbose.err());
    assertTrue(verbose.err().contains("\tat org.fspo.cli.FspoTest$Boom.call"), verbose.err());
    CliRun rootVerbose = boom("-v", "boom");
    assertTrue(rootVerbose.errLines().size() > 3, rootVerbose.err());
  }
}
