package org.fspo.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.fspo.eval.judge.JudgeItem;
import org.fspo.eval.judge.Judgment;
import org.fspo.eval.judge.SampleRater;
import org.fspo.eval.metrics.Outcome;
import org.fspo.eval.metrics.SampleRating;
import org.junit.jupiter.api.Test;

class ShownSampleTest {
  /** Utility = text length, on the scale [-10, 10]; well formed when it starts with "ok". */
  static final SampleRater LENGTH = new SampleRater() {
    @Override
    public SampleRating rate(String userId, String text) {
      return new SampleRating(text.startsWith("ok"), text.length(), -10, 10);
    }

    @Override
    public String pattern(String userId) {
      return null;
    }
  };

  static List<Judgment> judgments() {
    List<Judgment> out = new ArrayList<>();
    for (String user : List.of("u3", "u1", "u2")) {
      for (String pair : List.of("p1", "p2")) {
        for (int shots : new int[] {0, 4}) {
          for (String method : List.of("fspo", "oracle")) {
            JudgeItem i = new JudgeItem(user, user + pair, "d", method, shots, "q " + pair, "desc " + user,
                "ok " + method, "base");
            out.add(new Judgment(i, "utility", "utility", Outcome.WIN, null));
          }
        }
      }
    }
    return out;
  }

  @Test
  void firstQueryOfTheFirstUsersAtTheTopShotCount() {
    List<ShownSample> shown = ShownSample.pick(judgments(), "population", LENGTH, 2);
    assertEquals(List.of("u1", "u2"), shown.stream().map(ShownSample::userId).toList()); // sorted, first two
    ShownSample first = shown.get(0);
    assertEquals("u1p1", first.pairId());
    assertEquals(4, first.shots());
    assertEquals("desc u1", first.userDescription());
    assertEquals("q p1", first.question());
    assertEquals(List.of("fspo", "oracle", "population"), first.responses().stream().map(ShownSample.Response::method)
        .toList());
    assertEquals(7.0, first.responses().get(0).utility(), 0.0);   // "ok fspo".length()
    assertEquals(false, first.responses().get(2).wellFormed());    // "base"
    assertEquals(-10.0, first.minUtility(), 0.0);
    assertEquals(10.0, first.maxUtility(), 0.0);
  }

  @Test
  void withoutLatentUtilityTheTextsAreShownAlone() {
    ShownSample s = ShownSample.pick(judgments(), "population", null, 1).get(0);
    assertNull(s.minUtility());
    assertNull(s.responses().get(0).utility());
    assertEquals("ok fspo", s.responses().get(0).text());
    assertEquals(List.of(), ShownSample.pick(List.of(), "population", null, 2));
  }
}
