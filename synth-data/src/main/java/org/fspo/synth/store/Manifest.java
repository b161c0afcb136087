package org.fspo.synth.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The store's manifest.json, written last, so its presence marks a complete store. Keys are snake_case; see
 * docs/store.md. Example:
 *
 * <pre>
 * {"schema_version": 1, "producer": "import", "fingerprint": "9f2c...", "created_at": "2026-11-23T08:00:00Z",
 *  "counts": {"preferences": 120, "users": 12, "quarantine": 3},
 *  "preferences_by_split": {"test": 20, "train": 100}, "users_by_split": {"test": 2, "train": 10},
 *  "quarantine_by_reason": {"duplicate_pair": 1, "invalid_json": 2},
 *  "config": {...}, "stats": {"rows_read": 123, ...}}
 * </pre>
 *
 * @param schemaVersion      {@link org.fspo.core.schema.Columns#SCHEMA_VERSION} of the writer
 * @param producer           "import" or "synth"
 * @param fingerprint        hash of the producer's config and inputs: same fingerprint, same store
 * @param createdAt          ISO-8601 UTC instant the store was written
 * @param counts             rows per table (preferences, users, quarantine)
 * @param preferencesBySplit preference rows per split
 * @param usersBySplit       users per split
 * @param quarantineByReason quarantined rows per reason code
 * @param config             the producer's effective config
 * @param stats              producer-specific counts (e.g. rows read; items in and out per stage)
 */
public record Manifest(
    int schemaVersion,
    String producer,
    String fingerprint,
    String createdAt,
    Map<String, Long> counts,
    Map<String, Long> preferencesBySplit,
    Map<String, Long> usersBySplit,
    Map<String, Long> quarantineByReason,
    JsonNode config,
    Map<String, Object> stats) {

  public long count(String table) {
    return counts.getOrDefault(table, 0L);
  }
}
