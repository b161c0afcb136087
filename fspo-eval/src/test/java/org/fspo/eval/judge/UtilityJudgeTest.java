package org.fspo.eval.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Provenance;
import org.fspo.eval.metrics.Outcome;
import org.junit.jupiter.api.Test;

class UtilityJudgeTest {
  // a user who likes longer answers, by character count
  static final UtilityOracle LIKES_LONG = (user, a, b) -> Integer.compare(a.length(), b.length());

  static JudgeItem item(String model, String baseline) {
    return new JudgeItem("u", "p", "procedural", "fspo", 2, "q", null, model, baseline);
  }

  @Test
  void winTieLossFollowTheUtility() {
    UtilityJudge judge = new UtilityJudge(LIKES_LONG);
    assertEquals(Outcome.WIN, judge.judge(item("long answer", "short")).outcome());
    assertEquals(Outcome.TIE, judge.judge(item("same", "size")).outcome());
    assertEquals(Outcome.LOSS, judge.judge(item("s", "longer")).outcome());
  }

  @Test
  void sanityIsTheShareOfStoredLabelsTheUtilityAgreesWith() {
    Provenance prov = Provenance.imported("t", 0, "2026-01-01T00:00:00Z");
    List<PreferencePair> pairs = List.of(
        new PreferencePair("a", "1", "q", "longer one", "short", null, "d", "test", prov),
        new PreferencePair("a", "2", "q", "looooong", "tiny", null, "d", "test", prov),
        new PreferencePair("b", "3", "q", "tie1", "tie2", null, "d", "test", prov),
        new PreferencePair("b", "4", "q", "x", "wrong way", null, "d", "test", prov));
    var sanity = new UtilityJudge(LIKES_LONG).sanity(pairs);
    assertEquals(0.5, sanity.accuracy(), 1e-12); // a tie is not agreement
    assertEquals(4, sanity.nPairs());
    assertEquals(2, sanity.nUsers());
  }
}
