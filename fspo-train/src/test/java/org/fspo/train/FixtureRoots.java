package org.fspo.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The HF fixture roots of {@code -Dfspo.hf.fixtures}: a comma-separated list of folders in the layout of
 * shared/fixtures/hf (default ../../shared/fixtures/hf, from the module folder). Tests take their expectations from
 * the files under these roots, so they pass on any fixture set of the same layout.
 */
public final class FixtureRoots {
  private FixtureRoots() {}

  public static List<Path> all() {
    String value = System.getProperty("fspo.hf.fixtures", "../../shared/fixtures/hf");
    List<Path> roots = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of)
        .toList();
    assertTrue(!roots.isEmpty(), "fspo.hf.fixtures names no folder: '" + value + "'");
    for (Path r : roots) {
      assertTrue(Files.isDirectory(r), "fixture root " + r.toAbsolutePath() + " does not exist; set -Dfspo.hf.fixtures");
    }
    return roots;
  }

  /** The first root that holds {@code child} (e.g. "tokenizer"); fails when none does. */
  public static Path firstWith(String child) {
    for (Path r : all()) if (Files.isDirectory(r.resolve(child))) return r.resolve(child);
    throw new AssertionError("no fixture root in -Dfspo.hf.fixtures=" + System.getProperty("fspo.hf.fixtures")
        + " has a " + child + "/ folder");
  }

  /** Every model fixture folder (one with policy/) under every root, sorted by path. */
  public static List<Path> modelFolders() {
    return all().stream().flatMap(r -> {
      try (var s = Files.list(r)) {
        return s.filter(d -> Files.isDirectory(d.resolve("policy"))).sorted().toList().stream();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).toList();
  }
}
