package org.fspo.cli;

import picocli.CommandLine.Option;

/**
 * {@code -v, --verbose}: stack traces on errors and Spark's INFO logs. Mixed into the root and every subcommand, so
 * {@code fspo -v import ...} and {@code fspo import -v ...} both work.
 */
public final class VerbosityMixin {
  @Option(names = {"-v", "--verbose"}, description = "Show stack traces on errors and Spark's INFO log.")
  boolean verbose;

  public boolean verbose() {
    return verbose;
  }
}
