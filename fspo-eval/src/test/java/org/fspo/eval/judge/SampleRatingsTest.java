package org.fspo.eval.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fspo.core.episode.UserRecord;
import org.fspo.eval.metrics.Outcome;
import org.fspo.eval.metrics.SampleQuality;
import org.fspo.eval.metrics.SampleQualityCell;
import org.fspo.eval.metrics.SampleRating;
import org.fspo.eval.metrics.SampleScore;
import org.fspo.synth.procedural.ProceduralConfig;
import org.fspo.synth.procedural.ProceduralGenerator;
import org.fspo.synth.procedural.ProceduralPair;
import org.fspo.synth.procedural.ProceduralUser;
import org.junit.jupiter.api.Test;

class SampleRatingsTest {
  // length +1.0, tone -0.5, format +0.25, examples 0 (does not matter), jargon +2.0: range +-3.75
  static final Map<String, Double> W =
      Map.of("length", 1.0, "tone", -0.5, "format", 0.25, "examples", 0.0, "jargon", 2.0);
  static final ProceduralOracle ORACLE = new ProceduralOracle(List.of(new UserRecord("u", "d", Map.of(), W, "test")));

  @Test
  void aRenderedResponseIsWellFormedAndScoredOnTheUsersScale() {
    // casual (+1), short (-1), prose (-1), no example (-1), plain (-1): u = -1 - 0.5 - 0.25 + 0 - 2 = -3.75, the min
    SampleRating r = ORACLE.rate("u", "hey! in short: first try something simple then take it slowly. in general "
        + "results vary.");
    assertTrue(r.wellFormed());
    assertEquals(-3.75, r.utility(), 1e-12);
    assertEquals(-3.75, r.minUtility(), 1e-12);
    assertEquals(3.75, r.maxUtility(), 1e-12);
    assertEquals(0.0, r.scaled(), 1e-12);
    // formal, long, bullets, example, technical: every sign at the user's preference (examples does not matter)
    SampleRating best = ORACLE.rate("u", "certainly.\n- configure the bread parameters\n- optimize each iteration\n"
        + "- set a clear baseline\nfor example try bread with a friend. review it thoroughly.");
    assertTrue(best.wellFormed());
    assertEquals(3.75, best.utility(), 1e-12);
    assertEquals(1.0, best.scaled(), 1e-12);
  }

  @Test
  void wordSaladIsNotWellFormed() {
    SampleRating salad = ORACLE.rate("u", "- matters matters matters most most most.");
    assertFalse(salad.wellFormed());                // only the format marker "-" is there
    assertEquals(0.25, salad.utility(), 1e-12);     // format +1 times 0.25; the other attributes read 0
    assertFalse(ORACLE.rate("u", "").wellFormed());
    assertEquals("examples:0 format:+ jargon:+ length:+ tone:-", ORACLE.pattern("u"));
    assertNull(ORACLE.pattern("nobody"));
  }

  @Test
  void everyResponseTheGeneratorRendersIsWellFormed() {
    ProceduralGenerator gen = new ProceduralGenerator(7, ProceduralConfig.defaults());
    for (int user = 0; user < 8; user++) {
      ProceduralUser u = gen.user(user);
      ProceduralOracle oracle = new ProceduralOracle(List.of(new UserRecord(u.userId(), "d", Map.of(), u.weights(),
          "test")));
      for (ProceduralPair p : gen.pairs(user, 6)) {
        SampleRating chosen = oracle.rate(u.userId(), p.chosen()), rejected = oracle.rate(u.userId(), p.rejected());
        assertTrue(chosen.wellFormed() && rejected.wellFormed(), p.chosen() + " / " + p.rejected());
        assertTrue(chosen.utility() > rejected.utility()); // the stored label, read back from the text
      }
    }
  }

  @Test
  void methodAndBaselineResponsesAreRatedTheBaselineOncePerQuery() {
    List<Judgment> judgments = new ArrayList<>();
    for (String method : List.of("fspo", "oracle")) {
      for (String pair : List.of("p1", "p2")) {
        JudgeItem item = new JudgeItem("u", pair, "d", method, 4, "q", "desc",
            method.equals("fspo") ? "hey! in short: first try something simple then take it slowly. in general "
                + "results vary." : "salad", "- base");
        judgments.add(new Judgment(item, "utility", "utility", Outcome.WIN, null));
      }
    }
    List<SampleScore> scores = SampleRatings.rate(judgments, "population", ORACLE);
    assertEquals(4 + 2, scores.size()); // 4 method responses, the baseline's 2 queries once each
    Map<String, Map<String, SampleQualityCell>> table = SampleQuality.table(scores);
    SampleQualityCell fspo = table.get("fspo").get("4");
    assertEquals(1.0, fspo.wellFormedRate(), 0.0);
    assertEquals(-3.75, fspo.meanUtility(), 1e-12);
    assertEquals(0.0, table.get("oracle").get("4").wellFormedRate(), 0.0);
    SampleQualityCell base = table.get("population").get("4");
    assertEquals(2, base.n());
    assertEquals(0.25, base.meanUtility(), 1e-12);
    assertEquals((0.25 + 3.75) / 7.5, base.meanScaledUtility(), 1e-12);
  }
}
