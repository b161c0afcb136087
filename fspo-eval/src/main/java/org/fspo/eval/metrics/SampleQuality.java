package org.fspo.eval.metrics;

import java.util.List;
import java.util.Map;

/**
 * Per method and shot count: how often generated responses are well formed, and how well they match the user
 * (mean utility with the mean possible minimum and maximum as its scale). Plain means over responses.
 */
public final class SampleQuality {
  private SampleQuality() {}

  /** method -> shots (string) -> cell, in the order of {@link MethodShotGrid}. */
  public static Map<String, Map<String, SampleQualityCell>> table(List<SampleScore> scores) {
    return MethodShotGrid.build(scores, SampleScore::method, SampleScore::shots, SampleQuality::cell);
  }

  public static SampleQualityCell cell(List<SampleScore> group) {
    double wellFormed = 0, utility = 0, min = 0, max = 0, scaled = 0;
    for (SampleScore s : group) {
      SampleRating r = s.rating();
      wellFormed += r.wellFormed() ? 1 : 0;
      utility += r.utility();
      min += r.minUtility();
      max += r.maxUtility();
      scaled += r.scaled();
    }
    int n = group.size();
    int users = (int) group.stream().map(SampleScore::userId).distinct().count();
    return new SampleQualityCell(wellFormed / n, utility / n, min / n, max / n, scaled / n, n, users);
  }
}
