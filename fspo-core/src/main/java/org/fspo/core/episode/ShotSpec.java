package org.fspo.core.episode;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.SplittableRandom;

/**
 * How many shots an episode gets: a fixed N, or a range [min, max] drawn uniformly per episode (the paper samples
 * the shot count per episode so that one model serves every N). In config files: {@code shots: 4} or
 * {@code shots: "2-8"}.
 *
 * @param min the smallest shot count, at least 0
 * @param max the largest shot count, at least min
 */
public record ShotSpec(int min, int max) {
  public ShotSpec {
    if (min < 0 || max < min) {
      throw new IllegalArgumentException(
          "shots must be N >= 0 or a range MIN-MAX with 0 <= MIN <= MAX, got " + min + "-" + max);
    }
  }

  @JsonCreator
  public static ShotSpec fixed(int n) {
    return new ShotSpec(n, n);
  }

  public static ShotSpec range(int min, int max) {
    return new ShotSpec(min, max);
  }

  /** Parses "4" or "2-8" (also "2..8"). */
  @JsonCreator
  public static ShotSpec parse(String text) {
    String trimmed = text.strip();
    String[] bounds = trimmed.contains("..") ? trimmed.split("\\.\\.", -1) : trimmed.split("-", -1);
    try {
      if (bounds.length == 1) {
        return fixed(Integer.parseInt(bounds[0].strip()));
      }
      if (bounds.length == 2) {
        return range(Integer.parseInt(bounds[0].strip()), Integer.parseInt(bounds[1].strip()));
      }
    } catch (NumberFormatException e) {
      // falls through to the one-line message below
    }
    throw new IllegalArgumentException("shots must be N or MIN-MAX (e.g. 4 or 2-8), got '" + text + "'");
  }

  public boolean isFixed() {
    return min == max;
  }

  /** Draws a shot count uniformly from [min, max]; consumes no randomness when fixed. */
  public int draw(SplittableRandom random) {
    return isFixed() ? min : min + random.nextInt(max - min + 1);
  }

  @JsonValue
  @Override
  public String toString() {
    return isFixed() ? Integer.toString(min) : min + "-" + max;
  }
}
