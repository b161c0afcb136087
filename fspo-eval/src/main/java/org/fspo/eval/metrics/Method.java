package org.fspo.eval.metrics;

import java.util.Arrays;

/**
 * The methods compared on the same held-out users and pairs; {@link #key()} is the name used in report.json,
 * report.md and the per-pair Parquet. Declaration order is the order of tables and plot legends.
 */
public enum Method {
  /** FSPO: SFT then IPO on few-shot episodes, scored against its stage-1 reference. */
  FSPO("fspo"),
  /** FSPO trained and scored with the user-description (COT) prompt format. */
  FSPO_COT("fspo_cot"),
  /** Few-shot Pref-FT: the stage-1 SFT model alone, scored against the base (initial) model. */
  PREF_FT("pref_ft"),
  /** Population IPO: the same recipe trained with 0 shots, so it cannot personalize. */
  POPULATION("population"),
  /** FSPO given the true user description (teacher-forced in the prompt): an upper bound where data has one. */
  ORACLE("oracle");

  private final String key;

  Method(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  /** Position of a method key in the canonical order; unknown keys sort after all known ones. */
  public static int rank(String key) {
    for (Method m : values()) {
      if (m.key.equals(key)) {
        return m.ordinal();
      }
    }
    return values().length;
  }

  public static Method fromKey(String key) {
    return Arrays.stream(values())
        .filter(m -> m.key.equals(key))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "unknown method '" + key + "'; use one of fspo, fspo_cot, pref_ft, population, oracle"));
  }
}
