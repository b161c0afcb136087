package org.fspo.eval.dist;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fspo.core.config.ConfigLoader;
import org.fspo.core.episode.PreferencePair;
import org.fspo.train.loop.TrainConfig;

/**
 * What every Spark task of the distributed job needs, in a serializable form: the effective config as YAML, the
 * train pairs as JSON, and paths as strings (Path and the records are not Serializable).
 */
record WorkerJob(String configYaml, byte[] pairsJson, String out, String init, String initAdapter, String refCache,
    boolean resume) implements Serializable {

  static WorkerJob of(TrainConfig config, List<PreferencePair> pairs, Path out, Path init, Path initAdapter,
      Path refCache, boolean resume) {
    try {
      return new WorkerJob(config.toYaml(), ConfigLoader.json().writeValueAsBytes(pairs), abs(out), abs(init),
          abs(initAdapter), abs(refCache), resume);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String abs(Path p) {
    return p == null ? null : p.toAbsolutePath().normalize().toString();
  }

  TrainConfig config() {
    try {
      Path tmp = Files.createTempFile("fspo-train-config", ".yaml");
      try {
        Files.writeString(tmp, configYaml);
        return TrainConfig.load(tmp, List.of());
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<PreferencePair> pairs() {
    try {
      return ConfigLoader.json().readValue(pairsJson, new TypeReference<List<PreferencePair>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path outPath() {
    return Path.of(out);
  }

  static Path path(String s) {
    return s == null ? null : Path.of(s);
  }

  static PrintWriter stderr() {
    return new PrintWriter(System.err, true);
  }
}
