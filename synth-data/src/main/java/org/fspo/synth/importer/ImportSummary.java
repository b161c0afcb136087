package org.fspo.synth.importer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.schema.Columns;
import org.fspo.synth.store.Manifest;

/**
 * What an import did, read back from the store's manifest (so the numbers are those of the written files).
 *
 * @param out                 the store folder
 * @param upToDate            true when the folder already held this exact import and nothing was written
 * @param files               input files
 * @param rowsRead            non-blank input rows (lines or Parquet rows)
 * @param blankLines          whitespace-only JSONL lines, which are not rows
 * @param imported            rows in preferences/
 * @param quarantinedByReason rows in quarantine/ per reason, in {@link ImportValidator#REASONS} order
 * @param usersBySplit        users per split
 */
public record ImportSummary(
    String out, boolean upToDate, long files, long rowsRead, long blankLines, long imported,
    Map<String, Long> quarantinedByReason, Map<String, Long> usersBySplit) {

  static ImportSummary of(String out, Manifest manifest, boolean upToDate) {
    Map<String, Long> byReason = new LinkedHashMap<>();
    for (String reason : ImportValidator.REASONS) {
      byReason.put(reason, manifest.quarantineByReason().getOrDefault(reason, 0L));
    }
    manifest.quarantineByReason().forEach(byReason::putIfAbsent);
    return new ImportSummary(out, upToDate, number(manifest, "files"), number(manifest, "rows_read"),
        number(manifest, "blank_lines"), manifest.count(Columns.PREFERENCES_DIR), byReason,
        manifest.usersBySplit());
  }

  private static long number(Manifest manifest, String key) {
    Object value = manifest.stats().get(key);
    return value instanceof Number n ? n.longValue() : 0L;
  }

  public long quarantined() {
    return quarantinedByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The lines the CLI prints. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    if (upToDate) {
      lines.add(out + " already holds this import (same inputs and settings); nothing written");
    }
    lines.add(String.format("rows read    %d from %d file(s)%s", rowsRead, files,
        blankLines > 0 ? " (" + blankLines + " blank line(s) skipped)" : ""));
    lines.add(String.format("imported     %d pairs of %d users (train %d, test %d)", imported,
        usersBySplit.values().stream().mapToLong(Long::longValue).sum(),
        usersBySplit.getOrDefault("train", 0L), usersBySplit.getOrDefault("test", 0L)));
    lines.add(String.format("quarantined  %d", quarantined()));
    quarantinedByReason.forEach((reason, count) -> {
      if (count > 0) {
        lines.add(String.format("  %-20s %d", reason, count));
      }
    });
    lines.add("store        " + out);
    return lines;
  }
}
