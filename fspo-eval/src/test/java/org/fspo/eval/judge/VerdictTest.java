package org.fspo.eval.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VerdictTest {
  @Test
  void parsesASingleIdentifierAndForgivesWrapping() {
    assertEquals(Verdict.FIRST, Verdict.parse("m"));
    assertEquals(Verdict.SECOND, Verdict.parse("M"));
    assertEquals(Verdict.SECOND, Verdict.parse(" \n`M`.\n"));
    assertEquals(Verdict.FIRST, Verdict.parse("\"m\""));
  }

  @Test
  void anythingElseIsMalformed() {
    for (String bad : new String[] {null, "", "mM", "Model m", "m is better", "B", "'m\"", "1"}) {
      assertEquals(Verdict.MALFORMED, Verdict.parse(bad), String.valueOf(bad));
    }
  }

  @Test
  void probabilityNormalizesOverTheTwoIdentifiersLikeAlpacaEval() {
    // lp(m) = ln 0.6, lp(M) = ln 0.2, "x" ignored: P(m | m or M) = 0.6 / 0.8
    Map<String, Double> top = Map.of("m", Math.log(0.6), " M", Math.log(0.2), "x", Math.log(0.1));
    assertEquals(0.75, Verdict.probability(top, Verdict.FIRST), 1e-12);
    assertEquals(0.25, Verdict.probability(top, Verdict.SECOND), 1e-12);
    assertEquals(1.0, Verdict.probability(Map.of("m", -0.1), Verdict.FIRST), 1e-12); // M missing: -inf
    assertNull(Verdict.probability(Map.of("yes", -0.1), Verdict.FIRST));
  }
}
