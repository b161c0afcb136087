package org.fspo.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.junit.jupiter.api.Test;

class UserEpisodeSamplerTest {
  static List<PreferencePair> pairs() {
    List<PreferencePair> out = new ArrayList<>();
    int[] sizes = {6, 3, 1};
    for (int u = 0; u < sizes.length; u++) {
      for (int i = 0; i < sizes[u]; i++) {
        out.add(new PreferencePair("u" + u, "u" + u + "p" + i, "q" + i, "c" + i, "r" + i, null, "d", "train", null));
      }
    }
    return out;
  }

  @Test
  void everyPairIsAQueryOncePerEpochWithShotsOfItsUser() {
    UserEpisodeSampler s = new UserEpisodeSampler(pairs(), 2, 4, false, 5);
    List<Episode> eps = s.epoch(0);
    assertEquals(10, eps.size());
    Set<String> queries = new HashSet<>();
    for (Episode e : eps) {
      queries.add(e.query().pairId());
      int available = e.userId().equals("u0") ? 5 : e.userId().equals("u1") ? 2 : 0;
      assertTrue(e.shots().size() <= Math.min(4, available));
      assertTrue(e.shots().size() >= Math.min(2, available), "fewer_shots only when the user is short");
      assertEquals(e.shots().size(), new HashSet<>(e.shots()).size(), "no shot twice");
    }
    assertEquals(10, queries.size());
    assertEquals(0, s.skippedUsers());
  }

  @Test
  void deterministicPerEpochAndIndependentOfInputOrder() {
    List<PreferencePair> shuffled = new ArrayList<>(pairs());
    Collections.shuffle(shuffled, new java.util.Random(3));
    UserEpisodeSampler a = new UserEpisodeSampler(pairs(), 1, 3, false, 5);
    UserEpisodeSampler b = new UserEpisodeSampler(shuffled, 1, 3, false, 5);
    assertEquals(a.epoch(4), b.epoch(4));
    assertNotEquals(a.epoch(0), a.epoch(1), "shots re-sampled every epoch");
  }

  @Test
  void skipPolicyLeavesShortUsersOut() {
    UserEpisodeSampler s = new UserEpisodeSampler(pairs(), 3, 3, true, 5);
    assertEquals(2, s.skippedUsers());
    assertTrue(s.epoch(0).stream().allMatch(e -> e.userId().equals("u0") && e.shots().size() == 3));
  }
}
