package org.fspo.synth.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
    /** holds something else and overwrite was asked: replace it */
    REPLACE
  }

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
      Path manifest = new Path(dir, Columns.MANIFEST);
      String existing = fs.exists(manifest) ? readManifestQuietly(manifest) : null;
      if (fingerprint.equals(existing)) {
        return Target.UP_TO_DATE;
      }
      if (overwrite) {
        return Target.REPLACE;
      }
      String what = existing == null ? "is not empty and holds no store manifest"
          : "already holds a different store (fingerprint " + shortId(existing) + ", this run " + shortId(fingerprint)
              + ")";
      throw new FspoUserException("folder " + dir + " " + what + "; pass --overwrite to replace it or choose another"
          + " --out",
          FspoUserException.CANT_CREATE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String readManifestQuietly(Path manifest) {
    try {
      return readManifest().fingerprint();
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
