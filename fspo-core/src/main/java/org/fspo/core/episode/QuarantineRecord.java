package org.fspo.core.episode;

/**
 * An input record that did not reach the output, and why. One row of the store's {@code quarantine/} table.
 * Every input lands either in the output or here: items in = items out + items quarantined, stage by stage.
 *
 * @param stage    "import", or a synth stage: "personas", "questions", "responses", "judge", ...
 * @param source   input file name, or the item key of a synth stage
 * @param location "line 12" / "row 3" for files, or the item id for synth stages
 * @param reason   a short stable code, e.g. "invalid_json", "missing_field", "duplicate_pair", "position_flip"
 * @param detail   one human-readable sentence
 * @param raw      the raw input or raw model output (truncated to a bounded size), or null
 * @param attempts how many attempts were made (LLM calls); 1 for import rows
 */
public record QuarantineRecord(
    String stage, String source, String location, String reason, String detail, String raw, int attempts) {}
