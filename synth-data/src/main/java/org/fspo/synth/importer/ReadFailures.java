package org.fspo.synth.importer;

import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.SparkThrowable;
import org.fspo.core.FspoUserException;

/**
 * Turns a Spark job that failed while reading an input file into a one-line user error naming that file (exit 65).
 * {@link ImportInput#check} refuses what a file's footer or first bytes show; a damaged Parquet data page shows only
 * when a task reads it, and then Spark 4 fails the job with error condition {@code FAILED_READ_FILE.*} whose
 * {@code path} parameter names the file (a Parquet decoding error as the cause). Other failures pass unchanged.
 */
final class ReadFailures {
  private ReadFailures() {}

  static <T> T named(List<ImportInput> inputs, Supplier<T> action) {
    try {
      return action.get();
    } catch (Exception e) { // SparkException is checked, but Scala throws it through Java's Supplier
      String path = failedPath(e);
      if (path == null) {
        throw ReadFailures.<RuntimeException>rethrow(e);
      }
      throw new FspoUserException("input " + inputOf(inputs, path) + ": cannot read " + path + " ("
          + ImportInput.cause(e) + "); the file is damaged: copy or export it again", FspoUserException.DATA, e);
    }
  }

  /** Rethrows {@code e} unchanged, checked or not (the caller's {@code throw} only satisfies the compiler). */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> E rethrow(Exception e) throws E {
    throw (E) e;
  }

  /** The file a FAILED_READ_FILE error names, or null when the failure was not reading an input. */
  static String failedPath(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SparkThrowable spark && spark.getCondition() != null
          && spark.getCondition().startsWith("FAILED_READ_FILE")) {
        String path = spark.getMessageParameters().get("path");
        return path == null ? "" : path;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }

  private static String inputOf(List<ImportInput> inputs, String path) {
    String bare = path.startsWith("file:") ? path.substring("file:".length()).replaceFirst("^//", "") : path;
    for (ImportInput input : inputs) {
      for (String file : input.files()) {
        String plain = file.startsWith("file:") ? file.substring("file:".length()).replaceFirst("^//", "") : file;
        if (!bare.isEmpty() && (bare.endsWith(plain) || plain.endsWith(bare))) {
          return input.path();
        }
      }
    }
    return String.join(", ", inputs.stream().map(ImportInput::path).toList());
  }
}
