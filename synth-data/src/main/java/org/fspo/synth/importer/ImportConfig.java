package org.fspo.synth.importer;

import java.util.List;
import org.fspo.core.FspoUserException;

/**
 * What {@code fspo import} was asked to do; written to the store's manifest (snake_case) and fingerprinted.
 *
 * @param inputs       input files, in order (JSONL, JSONL.gz or Parquet); earlier files win on duplicate pairs
 * @param testFraction fraction of users in the test split, in [0, 1] ({@link org.fspo.core.episode.Split})
 * @param seed         seed of the split hash
 * @param domain       domain of rows that have no domain field
 */
public record ImportConfig(List<String> inputs, double testFraction, long seed, String domain) {
  public static final String DEFAULT_DOMAIN = "imported";

  public ImportConfig {
    if (inputs == null || inputs.isEmpty()) {
      throw new FspoUserException("import needs at least one --input FILE", FspoUserException.USAGE);
    }
    inputs = List.copyOf(inputs);
    if (!(testFraction >= 0 && testFraction <= 1)) {
      throw new FspoUserException("--test-fraction must be in [0, 1], got " + testFraction, FspoUserException.USAGE);
    }
    domain = domain == null || domain.isBlank() ? DEFAULT_DOMAIN : domain;
  }
}
