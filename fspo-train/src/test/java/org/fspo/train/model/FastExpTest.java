package org.fspo.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** FastExp against the double-precision Math.exp: within 2 float ulps over the whole float range it returns. */
class FastExpTest {
  @Test
  void withinTwoUlpsOfMathExpEverywhere() {
    double worst = 0;
    for (float x = -87.3f; x < 88.7f; x += 0.00137f) {
      double want = Math.exp(x);
      float got = FastExp.exp(x);
      worst = Math.max(worst, Math.abs(got - want) / Math.ulp((float) want));
    }
    assertTrue(worst <= 2, "worst error " + worst + " ulps");
  }

  @Test
  void edgesAreExact() {
    assertEquals(1f, FastExp.exp(0f));
    assertEquals(0f, FastExp.exp(-1e30f));
    assertEquals(0f, FastExp.exp(-88f), "would be subnormal: flushed");
    assertEquals(Float.POSITIVE_INFINITY, FastExp.exp(89f));
    assertEquals(Float.POSITIVE_INFINITY, FastExp.exp(Float.POSITIVE_INFINITY));
    assertTrue(Float.isNaN(FastExp.exp(Float.NaN)));
    assertEquals((float) Math.E, FastExp.exp(1f), Math.ulp((float) Math.E));
  }
}
