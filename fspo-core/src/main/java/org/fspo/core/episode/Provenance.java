package org.fspo.core.episode;

/**
 * Where a preference row came from. Flattened into the preferences table as plain columns.
 *
 * @param source          "import:&lt;file name&gt;" or "synth:&lt;generator kind&gt;"
 * @param generator       model (or "procedural") that wrote the responses; null for imports
 * @param judge           model (or "utility") that labelled the pair; null for imports
 * @param seed            the seed of the run that produced the row
 * @param createdAt       ISO-8601 UTC instant at which the row was first written
 * @param templateVersion version of the prompt templates used by the synth job; null for imports
 * @param judgeRawAb      the judge's raw verdict with (chosen, rejected) shown as (A, B); null for imports
 * @param judgeRawBa      the judge's raw verdict with the order swapped; null for imports
 */
public record Provenance(
    String source,
    String generator,
    String judge,
    long seed,
    String createdAt,
    String templateVersion,
    String judgeRawAb,
    String judgeRawBa) {

  public static Provenance imported(String source, long seed, String createdAt) {
    return new Provenance(source, null, null, seed, createdAt, null, null, null);
  }
}
