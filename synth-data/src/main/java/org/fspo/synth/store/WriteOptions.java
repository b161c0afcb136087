package org.fspo.synth.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * What a producer tells {@link EpisodeStore#write} besides the tables.
 *
 * @param producer    "import" or "synth", written to the manifest
 * @param fingerprint hash of everything that determines the output (config and inputs, not the time): the same
 *                    fingerprint at the same folder makes the write a no-op; a different one is refused unless
 *                    {@code overwrite}
 * @param config      the effective config, written to the manifest
 * @param stats       producer-specific counts for the manifest (insertion order kept)
 * @param overwrite   replace a folder holding a different store
 * @param files       Parquet files per table (rows are hash-partitioned by user_id, so a user's rows share a file);
 *                    1 suits anything up to a few million rows
 */
public record WriteOptions(
    String producer, String fingerprint, JsonNode config, Map<String, Object> stats, boolean overwrite, int files) {

  public WriteOptions {
    if (files < 1) {
      throw new IllegalArgumentException("files must be at least 1, got " + files);
    }
    stats = stats == null ? Map.of() : stats;
  }

  public static WriteOptions of(String producer, String fingerprint, JsonNode config) {
    return new WriteOptions(producer, fingerprint, config, Map.of(), false, 1);
  }

  public WriteOptions withStats(Map<String, Object> newStats) {
    return new WriteOptions(producer, fingerprint, config, newStats, overwrite, files);
  }

  public WriteOptions withOverwrite(boolean newOverwrite) {
    return new WriteOptions(producer, fingerprint, config, stats, newOverwrite, files);
  }

  public WriteOptions withFiles(int newFiles) {
    return new WriteOptions(producer, fingerprint, config, stats, overwrite, newFiles);
  }
}
