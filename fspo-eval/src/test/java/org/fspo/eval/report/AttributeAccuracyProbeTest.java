package org.fspo.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Provenance;
import org.fspo.core.episode.UserRecord;
import org.fspo.eval.metrics.PairScore;
import org.fspo.eval.report.AttributeAccuracyProbe.Cell;
import org.junit.jupiter.api.Test;

class AttributeAccuracyProbeTest {
  private static final Provenance P = Provenance.imported("test", 0, "2026-12-01T00:00:00Z");

  private static PreferencePair pair(String user, String id, String chosen, String rejected) {
    return new PreferencePair(user, id, "how to bake bread?", chosen, rejected, null, "procedural", "test", P);
  }

  private static UserRecord user(String id, double tone, double length) {
    return new UserRecord(id, "d", Map.of(), Map.of("tone", tone, "length", length), "test");
  }

  /** correct when the chosen completion gains more log-prob than the rejected one (ref 0, beta 1). */
  private static PairScore score(String user, String pair, int shots, boolean correct) {
    return new PairScore(user, pair, "procedural", "fspo", shots, correct ? -1 : -3, -2, 0, 0, 1.0);
  }

  @Test
  void countsEachPairUnderEveryWeighedAttributeItsResponsesDifferIn() {
    // markers (Attribute): tone hey/cool (+1) vs certainly/kindly (-1); length thoroughly (+1) vs briefly (-1)
    List<PreferencePair> pairs = List.of(
        pair("u1", "p1", "hey! briefly: mix it.", "certainly. briefly: mix it."), // differs in tone only
        pair("u2", "p2", "hey! mix it thoroughly.", "kindly note. briefly: mix it."), // tone and length
        pair("u3", "p3", "cool! mix it thoroughly.", "certainly. briefly: mix it.")); // tone and length
    List<UserRecord> users = List.of(user("u1", 1.0, 0.5), user("u2", 0.0, -1.0), user("u3", 1.0, 1.0));
    List<PairScore> scores = List.of(score("u1", "p1", 4, true), score("u2", "p2", 4, false),
        score("u3", "p3", 4, true), score("u1", "p1", 0, false));

    List<Cell> cells = AttributeAccuracyProbe.tally(scores, pairs, users);

    // u2 does not weigh tone, so p2 counts under length only; p3 counts under both
    assertEquals(List.of(new Cell("fspo", 0, "tone", 1, 0), new Cell("fspo", 4, "length", 2, 1),
        new Cell("fspo", 4, "tone", 2, 2)), cells);
    assertEquals(0.5, cells.get(1).accuracy());
  }

  @Test
  void aScoreOfAnotherStoreIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttributeAccuracyProbe.tally(
        List.of(score("u9", "p9", 4, true)), List.of(), List.of(user("u9", 1.0, 1.0))));
    assertTrue(e.getMessage().contains("u9/p9"), e.getMessage());
  }
}
