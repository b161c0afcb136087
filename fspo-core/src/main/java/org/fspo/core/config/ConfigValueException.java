package org.fspo.core.config;

import org.fspo.core.FspoUserException;

/**
 * A config record's compact constructor refusing a value, with the key relative to that record ({@code lr}, not
 * {@code train.sft.lr}): a record used in two places (train.sft and train.fspo are both a StageConfig) cannot know
 * its own path, but {@link ConfigLoader} does (Jackson's reference path to the record) and reports the whole key,
 * e.g. {@code conf/demo.yaml: train.sft.lr must be non-negative, got -1.0; fix the value}. Built outside the loader
 * (in code), the message names the relative key. Exit code 78 (config).
 */
public final class ConfigValueException extends FspoUserException {
  private final String key;
  private final String requirement;
  private final String got;

  /**
   * @param key         the key relative to the record, snake_case as in the file (e.g. {@code rpo_alpha})
   * @param requirement what the value must be, e.g. "non-negative" or "ipo or dpo"
   * @param got         the value given
   */
  public ConfigValueException(String key, String requirement, Object got) {
    super(key + " must be " + requirement + ", got " + got, CONFIG);
    this.key = key;
    this.requirement = requirement;
    this.got = String.valueOf(got);
  }

  public String key() {
    return key;
  }

  /** The message with the key's whole path, e.g. {@code train.sft.lr must be non-negative, got -1.0}. */
  public String describe(String fullKey) {
    return fullKey + " must be " + requirement + ", got " + got;
  }
}
