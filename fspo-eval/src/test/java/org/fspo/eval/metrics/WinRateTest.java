package org.fspo.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class WinRateTest {
  static PairOutcome outcome(String user, Outcome o, Double p, int modelLen, int baseLen) {
    return new PairOutcome(user, user + o + modelLen, "procedural", "fspo", 4, o, p, modelLen, baseLen);
  }

  @Test
  void countsWinsTiesAndDropsInconsistentAndMalformed() {
    List<PairOutcome> group = List.of(
        outcome("a", Outcome.WIN, 0.9, 100, 50),
        outcome("a", Outcome.TIE, null, 60, 60),
        outcome("b", Outcome.LOSS, 0.2, 40, 80),
        outcome("b", Outcome.INCONSISTENT, 0.5, 20, 30),
        outcome("c", Outcome.MALFORMED, null, 30, 30));
    WinRateCell cell = WinRate.cell(group, BootstrapCi.DEFAULT, "judge-model");
    assertEquals(1.5 / 3, cell.winRate(), 1e-12); // (1 + 0.5 + 0) / 3 judged pairs
    assertEquals(3, cell.n());
    assertEquals(1, cell.nDropped());
    assertEquals(1, cell.nMalformed());
    assertEquals(2, cell.nUsers()); // c has no judged pair
    assertEquals((0.9 + 0.2 + 0.5) / 3, cell.weightedWinRate(), 1e-12);
    assertEquals(3, cell.nWeighted());
    assertEquals(250.0 / 5, cell.avgLengthModel(), 1e-12);
    assertEquals(250.0 / 5, cell.avgLengthBaseline(), 1e-12);
    // users a (1.5 of 2) and b (0 of 1): resampled pooled values lie in {0, 0.5, 0.75}
    assertEquals(0.0, cell.ciLow(), 1e-12);
    assertEquals(0.75, cell.ciHigh(), 1e-12);
    assertEquals("judge-model", cell.judge());
  }

  @Test
  void allDroppedGivesNullRateAndNoWeightedRateWithoutLogprobs() {
    WinRateCell cell = WinRate.cell(List.of(outcome("a", Outcome.INCONSISTENT, null, 10, 10)), BootstrapCi.DEFAULT, "x");
    assertNull(cell.winRate());
    assertNull(cell.ciLow());
    assertNull(cell.weightedWinRate());
    assertEquals(0, cell.n());
    assertEquals(1, cell.nDropped());
  }
}
