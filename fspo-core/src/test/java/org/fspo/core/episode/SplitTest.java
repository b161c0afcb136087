package org.fspo.core.episode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitTest {
  private static final int USERS = 10_000;

  private static List<String> splits(long seed, double fraction) {
    List<String> out = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      out.add(Split.of("user-" + u, seed, fraction));
    }
    return out;
  }

  @Test
  void fractionZeroIsAllTrainAndOneIsAllTest() {
    assertTrue(splits(1, 0.0).stream().allMatch(Split.TRAIN::equals));
    assertTrue(splits(1, 1.0).stream().allMatch(Split.TEST::equals));
  }

  @Test
  void deterministicForASeedAndDifferentAcrossSeeds() {
    assertEquals(splits(7, 0.3), splits(7, 0.3));
    assertNotEquals(splits(7, 0.3), splits(8, 0.3));
  }

  @Test
  void roughlyTheFraction() {
    // Binomial(10000, 0.3): sd ~ 46, so +-300 is over 6 sd.
    long test = splits(11, 0.3).stream().filter(Split.TEST::equals).count();
    assertTrue(Math.abs(test - 3000) < 300, "test users: " + test);
  }

  @Test
  void aLargerFractionOnlyMovesUsersIntoTest() {
    List<String> small = splits(5, 0.2);
    List<String> large = splits(5, 0.5);
    for (int u = 0; u < USERS; u++) {
      if (small.get(u).equals(Split.TEST)) {
        assertEquals(Split.TEST, large.get(u));
      }
    }
  }

  @Test
  void unitHashIsInUnitInterval() {
    for (int i = 0; i < 1000; i++) {
      double value = Split.unitHash("x" + i);
      assertTrue(value >= 0.0 && value < 1.0);
    }
  }

  @Test
  void rejectsFractionOutsideUnitInterval() {
    assertThrows(IllegalArgumentException.class, () -> Split.of("u", 1, 1.5));
    assertThrows(IllegalArgumentException.class, () -> Split.of("u", 1, Double.NaN));
  }
}
