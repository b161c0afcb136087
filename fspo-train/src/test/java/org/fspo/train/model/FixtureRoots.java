package org.fspo.train.model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The reference fixture roots: system property fspo.hf.fixtures, a comma-separated list of folders in the layout of
 * shared/fixtures/hf (the parent pom sets it to ../shared/fixtures/hf and ../shared/fixtures/hf-archs next to the
 * checkout; the default here is the same, from the fspo-train folder).
 */
public final class FixtureRoots {
  static final String DEFAULT = "../../shared/fixtures/hf,../../shared/fixtures/hf-archs";

  private FixtureRoots() {}

  /** Every root, in the order given. */
  public static List<Path> all() {
    return Arrays.stream(System.getProperty("fspo.hf.fixtures", DEFAULT).split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).toList();
  }

  /** The first root: shared/fixtures/hf by default, whose gpt2/, llama/ and tokenizer/ some tests use by name. */
  public static Path first() {
    return all().get(0);
  }
}
