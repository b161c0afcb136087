package org.fspo.eval.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.fspo.core.episode.UserRecord;
import org.junit.jupiter.api.Test;

class ProceduralOracleTest {
  @Test
  void judgesByTheMarkerWordsOfTheUsersAttributes() {
    // a user who wants casual tone (+1.0) and no jargon (-0.8); other attributes do not matter
    Map<String, Double> w = Map.of("length", 0.0, "tone", 1.0, "format", 0.0, "examples", 0.0, "jargon", -0.8);
    ProceduralOracle oracle = new ProceduralOracle(List.of(
        new UserRecord("u1", "likes casual", Map.of(), w, "test"), new UserRecord("u2", null, Map.of(), Map.of(), "test")));
    String casualPlain = "hey! first try something simple then take it slowly.";
    String formalTechnical = "certainly. first configure the bread parameters then optimize each iteration.";
    assertEquals(1, oracle.prefers("u1", casualPlain, formalTechnical));   // u = 1.0 + 0.8 vs -1.0 - 0.8
    assertEquals(-1, oracle.prefers("u1", formalTechnical, casualPlain));
    assertEquals(0, oracle.prefers("u1", casualPlain, casualPlain));
    assertTrue(oracle.covers(List.of("u1")));
    assertFalse(oracle.covers(List.of("u1", "u2")));
  }
}
