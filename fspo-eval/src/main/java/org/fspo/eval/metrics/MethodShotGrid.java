package org.fspo.eval.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The nesting report.json uses for every metric: method key -> shot count (as a string) -> cell. Methods follow
 * {@link Method}'s order (unknown ones after, alphabetically) and shot counts ascend numerically, so the JSON, the
 * Markdown tables and the plots list things in the same order.
 */
public final class MethodShotGrid {
  private MethodShotGrid() {}

  public static <T, C> Map<String, Map<String, C>> build(
      List<T> rows, Function<T, String> method, ToIntFunction<T> shots, Function<List<T>, C> cell) {
    Map<String, TreeMap<Integer, List<T>>> groups = new TreeMap<>(
        Comparator.comparingInt(Method::rank).thenComparing(Comparator.naturalOrder()));
    for (T row : rows) {
      groups.computeIfAbsent(method.apply(row), k -> new TreeMap<>())
          .computeIfAbsent(shots.applyAsInt(row), k -> new ArrayList<>())
          .add(row);
    }
    Map<String, Map<String, C>> out = new LinkedHashMap<>();
    groups.forEach((m, byShots) -> {
      Map<String, C> cells = new LinkedHashMap<>();
      byShots.forEach((s, group) -> cells.put(Integer.toString(s), cell.apply(group)));
      out.put(m, cells);
    });
    return out;
  }
}
