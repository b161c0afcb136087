package org.fspo.eval.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Provenance;
import org.junit.jupiter.api.Test;

class ShotPolicyTest {
  /** User u's pairs p0..p5, created in the order p5, p4, ..., p0 (so time order is the reverse of the id order). */
  static List<PreferencePair> pairs(String user) {
    List<PreferencePair> out = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      out.add(new PreferencePair(user, "p" + i, "question " + i, "yes ".repeat(i + 1), "no", null, null, null,
          Provenance.imported("import:x", 0, "2026-01-0" + (6 - i) + "T00:00:00Z")));
    }
    return out;
  }

  static List<String> ids(List<PreferencePair> shots) {
    return shots.stream().map(PreferencePair::pairId).toList();
  }

  @Test
  void recentTakesTheLastKByCreationTime() {
    UserShots users = new UserShots(pairs("a"), ShotPolicy.RECENT, 2, 0, 0);
    assertEquals(List.of("p1", "p0"), ids(users.shots("a", p -> 1))); // p0 is the newest
  }

  @Test
  void budgetTakesTheNewestThatFit() {
    // tokens of pair i: i + 1 (its chosen has i + 1 words); newest first: p0 (1), p1 (2), p2 (3) = 6 <= 7, p3 (4) no
    UserShots users = new UserShots(pairs("a"), ShotPolicy.BUDGET, 0, 0, 7);
    assertEquals(List.of("p2", "p1", "p0"), ids(users.shots("a", p -> p.chosen().split(" ").length)));
  }

  @Test
  void randomIsSeededPerUser() {
    List<PreferencePair> all = new ArrayList<>(pairs("a"));
    all.addAll(pairs("b"));
    UserShots s0 = new UserShots(all, ShotPolicy.RANDOM, 3, 0, 0);
    List<String> a = ids(s0.shots("a", p -> 1));
    assertEquals(3, a.size());
    assertEquals(3, a.stream().distinct().count());
    assertEquals(a, ids(new UserShots(all, ShotPolicy.RANDOM, 3, 0, 0).shots("a", p -> 1)));
    boolean differs = false;
    for (long seed = 1; seed < 6 && !differs; seed++) {
      differs = !a.equals(ids(new UserShots(all, ShotPolicy.RANDOM, 3, seed, 0).shots("a", p -> 1)));
    }
    assertTrue(differs, "another seed draws other shots");
    assertNotEquals(0, s0.users());
  }
}
