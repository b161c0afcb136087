package org.fspo.synth.job;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.config.ConfigLoader;
import org.fspo.core.episode.StableHash;
import org.fspo.synth.store.EpisodeStore;
import org.fspo.synth.store.Manifest;
import org.fspo.synth.store.StoreTables;
import org.fspo.synth.store.WriteOptions;

/**
 * Writes a synth run through the project's one store writer ({@link EpisodeStore}): the three tables, and the
 * manifest with the effective config, the stage counts and the user-disagreement report as its stats. The
 * fingerprint covers the whole synth config plus the prompt template version, so a different job aimed at the same
 * folder is refused (unless overwrite) and the same job is a no-op.
 */
public final class SynthStore {
  private SynthStore() {}

  /** SHA-256 over the config's canonical JSON and the template version. */
  public static String fingerprint(SynthConfig config, String templateVersion) {
    try {
      return StableHash.sha256Hex("synth", ConfigLoader.json().writeValueAsString(ConfigLoader.toTree(config)),
          templateVersion);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot fingerprint the synth config", e);
    }
  }

  /**
   * Throws the store's one-line refusal if {@code out} may not be written (another store without overwrite, a folder
   * that is not a store, one of {@code inputs} inside it); true if it already holds this job's complete store.
   */
  public static boolean isUpToDate(SparkSession spark, Path out, String fingerprint, boolean overwrite,
      List<String> inputs) {
    return EpisodeStore.isUpToDate(spark, out.toString(), fingerprint, overwrite, inputs);
  }

  /** Quarantined items of a written store that a rerun may turn into output (see {@link Outage#RETRYABLE}). */
  public static long retryable(Manifest manifest) {
    return manifest.quarantineByReason().entrySet().stream().filter(e -> Outage.RETRYABLE.contains(e.getKey()))
        .mapToLong(Map.Entry::getValue).sum();
  }

  public static Manifest write(SparkSession spark, SynthConfig config, Path out, SynthOutput output,
      String fingerprint, boolean overwrite) {
    Map<String, Object> stats = new LinkedHashMap<>();
    Map<String, Object> stages = new LinkedHashMap<>();
    for (StageCount count : output.counts()) {
      stages.put(count.stage(), Map.of("in", count.in(), "out", count.out(), "quarantined", count.quarantined()));
    }
    stats.put("generator", config.generator());
    // a store with failures a rerun can change is not "done": the same command runs it again (cached answers reused)
    stats.put(EpisodeStore.COMPLETE, output.quarantine().filter(
        org.apache.spark.sql.functions.col("reason").isin(Outage.RETRYABLE.toArray())).isEmpty());
    stats.put("stages", stages);
    if (output.disagreement() != null) {
      stats.put("user_disagreement", output.disagreement());
    }
    WriteOptions options = new WriteOptions("synth", fingerprint, ConfigLoader.toTree(config), stats, overwrite, 1);
    return EpisodeStore.write(spark, out.toString(),
        new StoreTables(output.preferences(), output.users(), output.quarantine()), options);
  }
}
