package org.fspo.synth.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.config.ConfigLoader;
import org.fspo.core.schema.Columns;

/**
 * File-system side of a store folder, through Hadoop's FileSystem so that a store can live on a local disk, HDFS or
 * an object store alike: the state of a target folder, manifest IO, and the temp-folder-then-rename swap.
 */
final class StoreFolder {
  /** What writing to a folder would do. */
  enum Target {
    /** missing or empty: write */
    FRESH,
    /** holds a store with the same fingerprint: nothing to do */
    UP_TO_DATE,
    /** holds a store (and nothing else) that overwrite, or this job's own incomplete run, may replace */
    REPLACE
  }

  /** The manifest's stats key a producer sets to false for a store a rerun of the same job should redo. */
  static final String COMPLETE = "complete";

  /** What a store folder holds; anything else was put there by someone else and is never deleted. */
  private static final Set<String> STORE_ENTRIES = Set.of(Columns.PREFERENCES_DIR, Columns.USERS_DIR,
      Columns.QUARANTINE_DIR, Columns.MANIFEST, "." + Columns.MANIFEST + ".crc");

  private static final ObjectMapper JSON = ConfigLoader.json().copy().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  final FileSystem fs;
  final Path dir;

  StoreFolder(SparkSession spark, String dir) {
    this.dir = new Path(dir);
    try {
      this.fs = this.dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new FspoUserException("cannot open file system of " + dir + ": " + e.getMessage(),
          FspoUserException.NO_INPUT, e);
    }
  }

  Path table(String name) {
    return new Path(dir, name);
  }

  /**
   * What writing {@code fingerprint} to the folder would do. Only a folder that holds a store (a readable
   * manifest.json) and nothing else fspo did not write may be replaced, and only with {@code overwrite} or when it
   * holds this same job's incomplete store; anything else non-empty is refused with one line (exit 73), flag or not.
   */
  Target target(String fingerprint, boolean overwrite) {
    try {
      if (!fs.exists(dir)) {
        return Target.FRESH;
      }
      if (!fs.getFileStatus(dir).isDirectory()) {
        throw new FspoUserException(dir + " is a file; --out must be a folder", FspoUserException.CANT_CREATE);
      }
      FileStatus[] entries = fs.listStatus(dir);
      if (entries.length == 0) {
        return Target.FRESH;
      }
      Path manifestPath = new Path(dir, Columns.MANIFEST);
      Manifest existing = fs.exists(manifestPath) ? readManifestQuietly() : null;
      if (existing == null) {
        throw new FspoUserException("folder " + dir + " is not empty and is not an episode store (no valid "
            + Columns.MANIFEST + "); fspo never writes over other files: choose an empty or new --out folder",
            FspoUserException.CANT_CREATE);
      }
      boolean same = fingerprint.equals(existing.fingerprint());
      if (same && isComplete(existing) && !overwrite) {
        return Target.UP_TO_DATE;
      }
      if (!same && !overwrite) {
        throw new FspoUserException("folder " + dir + " already holds a different store (fingerprint "
            + shortId(existing.fingerprint()) + ", this run " + shortId(fingerprint) + "); pass --overwrite to"
            + " replace it or choose another --out", FspoUserException.CANT_CREATE);
      }
      List<String> foreign = new ArrayList<>();
      for (FileStatus entry : entries) {
        if (!STORE_ENTRIES.contains(entry.getPath().getName())) {
          foreign.add(entry.getPath().getName());
        }
      }
      if (!foreign.isEmpty()) {
        Collections.sort(foreign);
        throw new FspoUserException("store " + dir + " also holds files fspo did not write (" + String.join(", ",
            foreign.subList(0, Math.min(5, foreign.size()))) + (foreign.size() > 5 ? ", ..." : "") + "); replacing"
            + " it would delete them: move them out or choose another --out", FspoUserException.CANT_CREATE);
      }
      return Target.REPLACE;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A store counts as done only if it has preferences and its producer did not mark it incomplete (stats.complete
   * false: e.g. a synth run with calls that failed for a reason a rerun can change), so a rerun redoes it.
   */
  static boolean isComplete(Manifest manifest) {
    return manifest.count(Columns.PREFERENCES_DIR) > 0
        && !Boolean.FALSE.equals(manifest.stats() == null ? null : manifest.stats().get(COMPLETE));
  }

  /** Refuses (exit 73) when an input lies inside the folder: replacing the folder would delete it. */
  void refuseInputsInside(List<String> inputs, org.apache.hadoop.conf.Configuration conf) {
    String root = fs.makeQualified(dir).toString();
    for (String input : inputs) {
      try {
        Path path = new Path(input);
        String qualified = path.getFileSystem(conf).makeQualified(path).toString();
        if (qualified.equals(root) || qualified.startsWith(root.endsWith("/") ? root : root + "/")) {
          throw new FspoUserException("input " + input + " lies inside the output folder " + dir + "; writing"
              + " there could delete it: choose an --out folder that holds none of the inputs",
              FspoUserException.CANT_CREATE);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private Manifest readManifestQuietly() {
    try {
      Manifest manifest = readManifest();
      return manifest.fingerprint() == null || manifest.counts() == null ? null : manifest;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** A sibling temp folder: same parent, so that the final rename stays on one file system. */
  Path tempSibling(String tag) {
    return new Path(dir.getParent() == null ? new Path(".") : dir.getParent(),
        "." + dir.getName() + "." + tag + "-" + UUID.randomUUID());
  }

  /** Moves the finished temp folder into place; the old folder (if any) is moved aside first, then deleted. */
  void swapIn(Path temp) throws IOException {
    Path old = null;
    if (fs.exists(dir)) {
      old = tempSibling("old");
      if (!fs.rename(dir, old)) {
        throw new IOException("cannot move " + dir + " aside to " + old);
      }
    }
    if (!fs.rename(temp, dir)) {
      if (old != null) {
        fs.rename(old, dir); // put the old store back: a failed overwrite leaves it as it was
      }
      throw new IOException("cannot rename " + temp + " to " + dir);
    }
    if (old != null) {
      fs.delete(old, true);
    }
  }

  void writeManifest(Path folder, Manifest manifest) throws IOException {
    try (OutputStream out = fs.create(new Path(folder, Columns.MANIFEST), false)) {
      JSON.writeValue(out, manifest);
    }
  }

  Manifest readManifest() {
    Path manifest = new Path(dir, Columns.MANIFEST);
    try {
      if (!fs.exists(dir)) {
        throw new FspoUserException("episode store " + dir + " not found; give the --out folder of fspo import or"
            + " fspo synth", FspoUserException.NO_INPUT);
      }
      if (!fs.exists(manifest)) {
        throw new FspoUserException(dir + " is not an episode store (no " + Columns.MANIFEST + "); give the --out"
            + " folder of fspo import or fspo synth", FspoUserException.NO_INPUT);
      }
      try (InputStream in = fs.open(manifest)) {
        return JSON.readValue(in, Manifest.class);
      }
    } catch (FspoUserException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new FspoUserException(manifest + " is not a valid store manifest (" + e.getClass().getSimpleName()
          + "); re-create the store", FspoUserException.DATA, e);
    }
  }

  private static String shortId(String fingerprint) {
    return fingerprint.length() > 12 ? fingerprint.substring(0, 12) : fingerprint;
  }
}
