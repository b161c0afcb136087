package org.fspo.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.eval.metrics.AccuracyCell;
import org.junit.jupiter.api.Test;

class ReportMarkdownTest {
  @Test
  void tableHasOneRowPerMethodAndOneColumnPerShotCount() {
    Map<String, Map<String, AccuracyCell>> grid = new LinkedHashMap<>();
    grid.put("fspo", new LinkedHashMap<>(Map.of("0", new AccuracyCell(0.5, 0.4, 0.6, 0.01, 10, 2))));
    grid.get("fspo").put("4", new AccuracyCell(0.75, 0.6, 0.9, 0.02, 10, 2));
    grid.put("population", Map.of("1", new AccuracyCell(0.5, 0.5, 0.5, 0.0, 4, 1)));
    String expected = """
        | method | 0 shots | 1 shot | 4 shots |
        |---|---|---|---|
        | fspo | 0.500 |  | 0.750 |
        | population |  | 0.500 |  |
        """;
    assertEquals(expected, ReportMarkdown.table(grid, c -> String.format("%.3f", c.accuracy())));
  }

  @Test
  void reportNamesEveryPlotAndTheSanityCheck() {
    String md = ReportMarkdown.render(SampleReports.report());
    assertTrue(md.contains("![accuracy_vs_shots.png](accuracy_vs_shots.png)"));
    assertTrue(md.contains("agrees with 100.0% of 240 stored labels"));
    assertTrue(md.contains("## Win rate vs population"));
  }
}
