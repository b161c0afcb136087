package org.fspo.eval.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Provenance;
import org.junit.jupiter.api.Test;

public class EvalEpisodesTest {
  public static List<PreferencePair> pairs(String user, int n) {
    List<PreferencePair> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new PreferencePair(user, user + "-" + i, "q" + i, "c" + i, "r" + i, "desc", "procedural", "test",
          Provenance.imported("t", 0, "2026-01-01T00:00:00Z")));
    }
    return out;
  }

  public static List<PreferencePair> store() {
    List<PreferencePair> all = new ArrayList<>();
    all.addAll(pairs("a", 12));
    all.addAll(pairs("b", 10));
    all.addAll(pairs("c", 5)); // too few for 8 shots
    return all;
  }

  @Test
  void sameQueriesForEveryShotCountWithNestedContexts() {
    EvalEpisodes.Plan plan = new EvalEpisodes(List.of(8, 0, 2, 4, 1), 3, 11).plan(store());
    assertEquals(List.of("a", "b"), plan.users());
    assertEquals(List.of("c"), plan.skippedUsers());
    assertEquals(2 * 3 * 5, plan.episodes().size());
    for (int block = 0; block < plan.episodes().size(); block += 5) {
      List<EvalEpisode> group = plan.episodes().subList(block, block + 5);
      assertEquals(List.of(0, 1, 2, 4, 8), group.stream().map(EvalEpisode::shots).toList());
      Episode widest = group.get(4).episode();
      for (EvalEpisode e : group) {
        assertEquals(widest.query(), e.episode().query());
        assertEquals(widest.shots().subList(0, e.shots()), e.episode().shots()); // nested
        assertFalse(e.episode().shots().contains(e.episode().query()));
      }
    }
  }

  @Test
  void deterministicForASeedAndIndependentOfInputOrder() {
    List<PreferencePair> input = store();
    EvalEpisodes.Plan a = new EvalEpisodes(List.of(0, 4), 2, 5).plan(input);
    Collections.shuffle(input, new Random(1));
    assertEquals(a, new EvalEpisodes(List.of(0, 4), 2, 5).plan(input));
    assertNotEquals(a, new EvalEpisodes(List.of(0, 4), 2, 6).plan(input));
  }

  @Test
  void queriesAreDistinctPairsOfTheUser() {
    EvalEpisodes.Plan plan = new EvalEpisodes(List.of(0), 4, 3).plan(store());
    List<String> queries = plan.episodes().stream().map(e -> e.episode().query().pairId()).toList();
    assertEquals(3 * 4, queries.size()); // users a, b, c all have >= 1 pair
    assertEquals(queries.size(), queries.stream().distinct().count());
  }
}
