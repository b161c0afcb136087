package org.fspo.core;

/**
 * A mistake the user can fix: a bad path, a bad field, a bad config value. The CLI prints {@link #getMessage()}
 * as one line (no stack trace unless --verbose) and exits with {@link #exitCode()}.
 *
 * <p>The message names the file, row or field and says how to fix it, e.g.
 * {@code "data.jsonl line 7: field 'chosen' is missing; every row needs user_id, prompt, chosen, rejected"}.
 */
public class FspoUserException extends RuntimeException {
  /** sysexits.h: EX_USAGE 64, EX_DATAERR 65, EX_NOINPUT 66, EX_UNAVAILABLE 69, EX_CANTCREAT 73, EX_CONFIG 78. */
  public static final int USAGE = 64, DATA = 65, NO_INPUT = 66, UNAVAILABLE = 69, CANT_CREATE = 73, CONFIG = 78;

  private final int exitCode;

  public FspoUserException(String message) {
    this(message, DATA);
  }

  public FspoUserException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public FspoUserException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
