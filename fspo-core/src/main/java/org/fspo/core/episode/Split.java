package org.fspo.core.episode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The train/test split of a user, decided by a hash of (seed, user_id): a user is "test" iff
 * u(seed, user_id) &lt; testFraction, where u is the first 53 bits of SHA-256("seed:user_id") scaled to [0, 1).
 * So fraction 0 puts every user in train, 1 every user in test, and all pairs of a user share one split.
 */
public final class Split {
  public static final String TRAIN = "train";
  public static final String TEST = "test";

  private Split() {}

  public static String of(String userId, long seed, double testFraction) {
    if (!(testFraction >= 0.0 && testFraction <= 1.0)) {
      throw new IllegalArgumentException("test fraction must be in [0, 1], got " + testFraction);
    }
    return unitHash(seed + ":" + userId) < testFraction ? TEST : TRAIN;
  }

  /** A uniform number in [0, 1) from SHA-256 of the text. */
  public static double unitHash(String text) {
    byte[] digest = sha256(text.getBytes(StandardCharsets.UTF_8));
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits = (bits << 8) | (digest[i] & 0xff);
    }
    return (bits >>> 11) * 0x1.0p-53;
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
