package org.fspo.core.episode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class StableHashTest {
  @Test
  void knownDigest() {
    // sha256("abc"), FIPS 180-2 appendix B.1.
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", StableHash.sha256Hex("abc"));
  }

  @Test
  void partsAreSeparated() {
    assertNotEquals(StableHash.pairId("ab", "c", "x", "y"), StableHash.pairId("a", "bc", "x", "y"));
    assertEquals(32, StableHash.pairId("u", "p", "c", "r").length());
    assertEquals(StableHash.pairId("u", "p", "c", "r"), StableHash.pairId("u", "p", "c", "r"));
  }
}
