package org.fspo.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.fspo.core.FspoUserException;

/**
 * The one rule for the folders fspo writes besides stores (a train run, an eval report, a pipeline folder): fspo
 * writes into a folder only if it is missing, empty, or one fspo wrote itself, recognised by the marker file
 * {@value #MARKER} ({@code {"kind": "train-run"}}, written when fspo first claims the folder). Any other non-empty
 * folder is refused with one line naming it (exit 73), so no user file is ever overwritten or deleted. Stores are
 * recognised by their manifest.json instead (synth-data's EpisodeStore), under the same rule.
 *
 * <p>Folders written before the marker existed are recognised by what their writer always wrote first (the
 * {@code legacy} test of each caller), so existing runs still resume.
 */
public final class OutputFolder {
  /** The marker file's name. */
  public static final String MARKER = "fspo-output.json";
  /** Kinds of folder, as written in the marker. */
  public static final String TRAIN_RUN = "train-run", EVAL_REPORT = "eval-report", PIPELINE = "pipeline",
      GENERATE_OUTPUT = "generate-output";

  private static final ObjectMapper JSON = new ObjectMapper();

  private OutputFolder() {}

  /** True if {@code dir} does not exist or is an empty folder. */
  public static boolean isFresh(Path dir) {
    if (!Files.exists(dir)) {
      return true;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      throw new FspoUserException(dir + ": cannot read the folder (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }

  /** True if {@code dir} holds fspo's marker of {@code kind}, or passes the caller's {@code legacy} test. */
  public static boolean isOwn(Path dir, String kind, Predicate<Path> legacy) {
    Path marker = dir.resolve(MARKER);
    if (Files.isRegularFile(marker)) {
      try {
        JsonNode node = JSON.readTree(marker.toFile());
        return node != null && kind.equals(node.path("kind").asText());
      } catch (IOException e) {
        return false;
      }
    }
    return Files.isDirectory(dir) && legacy.test(dir);
  }

  /**
   * Makes sure fspo may write {@code kind} into {@code dir}, then creates it and writes the marker. A missing or
   * empty folder, or one fspo wrote as {@code kind}, is accepted; anything else is refused with one line.
   *
   * @param option the command-line option that named the folder, for the message (e.g. "--out")
   */
  public static void claim(Path dir, String kind, String option, Predicate<Path> legacy) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new FspoUserException(dir + " is a file; " + option + " must be a folder", FspoUserException.CANT_CREATE);
    }
    if (!isFresh(dir) && !isOwn(dir, kind, legacy)) {
      throw notOurs(dir, kind, option);
    }
    mark(dir, kind);
  }

  /** Creates {@code dir} and writes the marker of {@code kind} unless present; for callers that checked already. */
  public static void mark(Path dir, String kind) {
    try {
      Files.createDirectories(dir);
      Path marker = dir.resolve(MARKER);
      if (!Files.isRegularFile(marker)) {
        Files.writeString(marker, "{\"kind\": \"" + kind + "\", \"written_by\": \"fspo\"}\n");
      }
    } catch (IOException e) {
      throw new FspoUserException(dir + ": cannot write the folder (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }

  /** The one-line refusal for a non-empty folder that fspo did not write as {@code kind}. */
  public static FspoUserException notOurs(Path dir, String kind, String option) {
    return new FspoUserException(option + " " + dir + " is not empty and is not an fspo " + kind.replace('-', ' ')
        + " (no " + MARKER + "); fspo never writes over other files: choose an empty or new " + option + " folder",
        FspoUserException.CANT_CREATE);
  }

  /** Refuses (exit 73) when one of {@code inputs} (null entries skipped) lies inside {@code dir}. */
  public static void refuseInputsInside(Path dir, String option, List<Path> inputs) {
    Path root = dir.toAbsolutePath().normalize();
    for (Path input : inputs) {
      if (input != null && input.toAbsolutePath().normalize().startsWith(root)) {
        throw new FspoUserException("input " + input + " lies inside the output folder " + dir + " (" + option
            + "); choose an " + option + " folder that holds none of the inputs", FspoUserException.CANT_CREATE);
      }
    }
  }
}
