package org.fspo.eval.report;

import java.awt.Color;
import org.fspo.eval.metrics.Method;

/** One fixed color per method (matplotlib's tab10), so every plot of a report uses the same legend colors. */
final class MethodColors {
  private static final Color[] TAB10 = {
      new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
      new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127)};

  private MethodColors() {}

  static Color of(String methodKey) {
    return TAB10[Math.min(Method.rank(methodKey), TAB10.length - 1)];
  }

  static Color of(int index) {
    return TAB10[index % TAB10.length];
  }

  static Color translucent(Color c, int alpha) {
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
  }
}
