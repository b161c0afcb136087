package org.fspo.eval.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;

/**
 * RUN_DIR must be one folder for the driver and every executor (a shared mount; rank 0 writes checkpoints there and
 * every worker resumes from them). The driver writes a marker holding a random token; each task checks that it reads
 * the same token and can create a file there.
 */
final class SharedFolder {
  static final String PROBE = ".fspo-shared-probe";

  private SharedFolder() {}

  /** Driver side: writes the marker, runs {@code tasks} plain tasks that check it, removes it. */
  static void require(SparkSession spark, Path out, int tasks) {
    Path probe = out.resolve(PROBE);
    String token = UUID.randomUUID().toString();
    try {
      Files.createDirectories(out);
      Files.writeString(probe, token);
    } catch (IOException e) {
      throw new FspoUserException(out + ": cannot write the run folder (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
    String dir = out.toAbsolutePath().normalize().toString();
    try {
      List<String> problems = JavaSparkContext.fromSparkContext(spark.sparkContext())
          .parallelize(java.util.stream.IntStream.range(0, tasks).boxed().toList(), tasks)
          .map(i -> check(Path.of(dir), token)).filter(p -> !p.isEmpty()).collect();
      if (!problems.isEmpty()) {
        throw new FspoUserException(problems.get(0), FspoUserException.CONFIG);
      }
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException ignored) {
        // the probe is a hidden file; a leftover is harmless
      }
    }
  }

  /** Task side: "" when the folder holds the driver's token and is writable, else the one-line problem. */
  static String check(Path out, String token) throws IOException {
    String host = java.net.InetAddress.getLocalHost().getHostName();
    Path probe = out.resolve(PROBE);
    boolean same;
    try {
      same = Files.isRegularFile(probe) && Files.readString(probe).equals(token);
    } catch (IOException e) {
      same = false;
    }
    if (!same) {
      return "--out " + out + " is not the driver's folder on executor host " + host + " (it does not see the "
          + "driver's files there); distributed training needs a run folder every executor shares (NFS or another "
          + "shared mount at the same path)";
    }
    try {
      Files.delete(Files.createTempFile(out, ".fspo-write-probe", ""));
    } catch (IOException e) {
      return "--out " + out + " is read-only on executor host " + host + " (" + e.getMessage() + "); rank 0 "
          + "writes checkpoints there, so every executor needs write access";
    }
    return "";
  }

  /** Inside a barrier task: RUN_DIR must exist (the driver created it); a clear line instead of a missing file. */
  static void requireVisible(Path out, String host) {
    if (!Files.isDirectory(out)) {
      throw new FspoUserException("--out " + out + " does not exist on executor host " + host + "; distributed "
          + "training needs a run folder every executor shares", FspoUserException.CONFIG);
    }
  }
}
