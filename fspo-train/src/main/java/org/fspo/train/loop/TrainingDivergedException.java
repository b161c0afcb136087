package org.fspo.train.loop;

import org.fspo.core.FspoUserException;

/** A NaN or infinite loss or gradient: the run stops before the bad update, its last checkpoint untouched. */
public final class TrainingDivergedException extends FspoUserException {
  /** sysexits.h EX_SOFTWARE: not a usage error, but one the user fixes through the config. */
  public static final int EXIT_CODE = 70;

  public TrainingDivergedException(String message) {
    super(message, EXIT_CODE);
  }
}
