package org.fspo.cli;

import picocli.CommandLine.Option;

/** {@code --seed S}: the run's seed. Unset means "the command's default" (or the config's, where it has one). */
public final class SeedMixin {
  @Option(names = "--seed", paramLabel = "S", description = "Seed of everything random in the run.")
  Long seed;

  /** The seed given, else {@code fallback}. */
  public long seedOr(long fallback) {
    return seed == null ? fallback : seed;
  }

  public boolean given() {
    return seed != null;
  }
}
