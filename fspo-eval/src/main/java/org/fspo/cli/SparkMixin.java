package org.fspo.cli;

import picocli.CommandLine.Option;

/** {@code --master URL} for commands that run Spark; see {@link SparkSessions#start}. */
public final class SparkMixin {
  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master, e.g. local[4] or spark://host:7077 (default: spark-submit's, else local[*]).")
  String master;

  public String master() {
    return master;
  }
}
