package org.fspo.synth.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The fake judge's rule, restated independently: prefer r with the larger sha256(person + r). */
final class FakeLlmServerRule {
  private FakeLlmServerRule() {}

  static boolean prefers(String person, String chosen, String rejected) {
    return sha(person + chosen).compareTo(sha(person + rejected)) > 0;
  }

  private static String sha(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
