package org.fspo.core.episode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Stable, platform-independent hashes (SHA-256) used wherever an id or a seed must be the same on every machine and
 * every run: pair ids, per-user random streams, config fingerprints. Not {@link String#hashCode()}, which is only
 * 32 bits, and not {@link java.util.Objects#hash}, which is not specified to be stable.
 *
 * <p>Parts are joined with a unit separator (U+001F) so that ("ab", "c") and ("a", "bc") hash differently.
 */
public final class StableHash {
  private static final char SEPARATOR = '\u001f';

  private StableHash() {}

  /** Lower-case hex SHA-256 of the parts joined with U+001F. */
  public static String sha256Hex(String... parts) {
    return HexFormat.of().formatHex(sha256(join(parts)));
  }

  /** The first 64 bits of SHA-256 of the parts, as a long: a seed for {@link java.util.SplittableRandom}. */
  public static long long64(String... parts) {
    byte[] digest = sha256(join(parts));
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits = (bits << 8) | (digest[i] & 0xff);
    }
    return bits;
  }

  /**
   * The store's pair id: the first 32 hex characters (128 bits) of SHA-256(user_id, prompt, chosen, rejected).
   * Import and synth both use it, so the same preference gets the same id whichever way it arrives. The texts are
   * hashed as given (not stripped): the id names the stored row exactly.
   */
  public static String pairId(String userId, String prompt, String chosen, String rejected) {
    return sha256Hex(userId, prompt, chosen, rejected).substring(0, 32);
  }

  static byte[] join(String... parts) {
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        joined.append(SEPARATOR);
      }
      joined.append(parts[i] == null ? "\u0000null" : parts[i]);
    }
    return joined.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
