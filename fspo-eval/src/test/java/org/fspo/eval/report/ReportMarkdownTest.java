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
    assertTrue(md.contains(
        "with its CI. Responses decoded by beam search over 4 hypotheses, at most 96 tokens, seed 0."), md);
    assertEquals("greedy, no 3-gram repeated, at most 64 tokens, seed 2",
        ReportMarkdown.decoding(new org.fspo.eval.generate.SamplingConfig(0, 1, 64, 2, 1, 3)));
    assertEquals("sampled at temperature 0.7, top_p 0.9, at most 160 tokens, seed 0",
        ReportMarkdown.decoding(org.fspo.eval.generate.SamplingConfig.defaults()));
  }

  @Test
  void reportShowsSampleQualityTheSamplesAndBalancedAccuracy() {
    String md = ReportMarkdown.render(SampleReports.report());
    assertTrue(md.contains("| fspo | 0.750 |"), md);                          // well formed: 3 of 4
    assertTrue(md.contains("| fspo | 1.50 [-2.00, 2.00]; 0.88 |"), md);       // utility on its scale
    assertTrue(md.contains("- user: prefers long answers."), md);
    assertTrue(md.contains("- question: How do I start baking?"), md);
    assertTrue(md.contains("**population** (utility 0.00, not well formed)"), md);
    assertTrue(md.contains("Balanced accuracy"), md);
    assertTrue(md.contains("Every scored prompt fit max_seq_len with all its shots."), md);
  }
}
