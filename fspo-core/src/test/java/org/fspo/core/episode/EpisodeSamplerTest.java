package org.fspo.core.episode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EpisodeSamplerTest {

  /** users u0..u{users-1}; user i has pairsPerUser + (i == 0 ? 0 : extra) pairs. */
  private static List<PreferencePair> pairs(int users, int pairsPerUser) {
    List<PreferencePair> all = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      for (int p = 0; p < pairsPerUser; p++) {
        all.add(pair("u" + u, "q" + p));
      }
    }
    return all;
  }

  private static PreferencePair pair(String user, String prompt) {
    String id = StableHash.pairId(user, prompt, "yes", "no");
    return new PreferencePair(user, id, prompt, "yes", "no", null, "test", "train", null);
  }

  private static List<String> ids(SampledEpisodes result) {
    return result.episodes().stream()
        .map(e -> e.query().pairId() + "|" + e.shots().stream().map(PreferencePair::pairId)
            .collect(Collectors.joining(",")))
        .toList();
  }

  @Test
  void everyPairIsQueryOnceAndNeverAShotOfItself() {
    List<PreferencePair> input = pairs(5, 8);
    SampledEpisodes result = new RandomEpisodeSampler(ShotSpec.fixed(4), ShortUserPolicy.FEWER_SHOTS, 1)
        .sample(input, 0);
    assertEquals(40, result.episodes().size());
    assertEquals(5, result.users());
    Set<String> queries = new HashSet<>();
    for (Episode episode : result.episodes()) {
      assertTrue(queries.add(episode.query().pairId()), "query repeated");
      assertEquals(4, episode.shots().size());
      Set<String> shotIds = new HashSet<>();
      for (PreferencePair shot : episode.shots()) {
        assertNotEquals(episode.query().pairId(), shot.pairId(), "query among its own shots");
        assertEquals(episode.userId(), shot.userId(), "shot from another user");
        assertTrue(shotIds.add(shot.pairId()), "shot drawn twice");
      }
      assertEquals(episode.userId(), episode.query().userId());
    }
  }

  @Test
  void deterministicForASeedWhateverTheInputOrder() {
    List<PreferencePair> input = pairs(4, 10);
    List<PreferencePair> shuffled = new ArrayList<>(input);
    Collections.shuffle(shuffled, new Random(3));
    EpisodeSampler sampler = new RandomEpisodeSampler(ShotSpec.range(1, 5), ShortUserPolicy.FEWER_SHOTS, 42);
    EpisodeSampler same = new RandomEpisodeSampler(ShotSpec.range(1, 5), ShortUserPolicy.FEWER_SHOTS, 42);
    assertEquals(ids(sampler.sample(input, 3)), ids(same.sample(shuffled, 3)));
  }

  @Test
  void aUsersEpisodesDoNotDependOnOtherUsers() {
    EpisodeSampler sampler = new RandomEpisodeSampler(ShotSpec.fixed(3), ShortUserPolicy.FEWER_SHOTS, 9);
    List<PreferencePair> all = pairs(3, 6);
    List<PreferencePair> onlyU1 = all.stream().filter(p -> p.userId().equals("u1")).toList();
    List<String> fromAll = ids(sampler.sample(all, 0)).subList(6, 12);
    assertEquals(ids(sampler.sample(onlyU1, 0)), fromAll);
  }

  @Test
  void differsAcrossEpochsAndSeeds() {
    List<PreferencePair> input = pairs(3, 12);
    EpisodeSampler sampler = new RandomEpisodeSampler(ShotSpec.fixed(4), ShortUserPolicy.FEWER_SHOTS, 42);
    assertNotEquals(ids(sampler.sample(input, 0)), ids(sampler.sample(input, 1)));
    EpisodeSampler other = new RandomEpisodeSampler(ShotSpec.fixed(4), ShortUserPolicy.FEWER_SHOTS, 43);
    assertNotEquals(ids(sampler.sample(input, 0)), ids(other.sample(input, 0)));
  }

  @Test
  void rangeDrawsEveryShotCountInTheRange() {
    SampledEpisodes result = new RandomEpisodeSampler(ShotSpec.range(1, 3), ShortUserPolicy.FEWER_SHOTS, 5)
        .sample(pairs(10, 10), 0);
    Set<Integer> counts = result.episodes().stream().map(e -> e.shots().size()).collect(Collectors.toSet());
    assertEquals(Set.of(1, 2, 3), counts);
    assertEquals(0, result.episodesShortened());
  }

  @Test
  void fewerShotsPolicyShortensShortUsers() {
    List<PreferencePair> input = new ArrayList<>(pairs(1, 6));
    input.add(pair("short", "a"));
    input.add(pair("short", "b"));
    input.add(pair("single", "a"));
    SampledEpisodes result = new RandomEpisodeSampler(ShotSpec.fixed(4), ShortUserPolicy.FEWER_SHOTS, 1)
        .sample(input, 0);
    assertEquals(9, result.episodes().size());
    assertEquals(3, result.users());
    assertEquals(0, result.usersSkipped());
    assertEquals(0, result.episodesSkipped());
    assertEquals(3, result.episodesShortened());
    for (Episode episode : result.episodes()) {
      int expected = switch (episode.userId()) {
        case "short" -> 1;
        case "single" -> 0;
        default -> 4;
      };
      assertEquals(expected, episode.shots().size(), episode.userId());
    }
  }

  @Test
  void skipPolicyDropsShortUsersAndCountsThem() {
    List<PreferencePair> input = new ArrayList<>(pairs(1, 5));
    input.add(pair("short", "a"));
    input.add(pair("short", "b"));
    input.add(pair("short", "c"));
    SampledEpisodes result = new RandomEpisodeSampler(ShotSpec.fixed(4), ShortUserPolicy.SKIP, 1)
        .sample(input, 0);
    assertEquals(5, result.episodes().size());
    assertTrue(result.episodes().stream().allMatch(e -> e.userId().equals("u0")));
    assertEquals(2, result.users());
    assertEquals(1, result.usersSkipped());
    assertEquals(3, result.episodesSkipped());
    assertEquals(input.size(), result.episodes().size() + result.episodesSkipped());
  }

  @Test
  void groupByUserIsSortedAndIndependentOfInputOrder() {
    List<PreferencePair> input = pairs(3, 4);
    List<PreferencePair> reversed = new ArrayList<>(input);
    Collections.reverse(reversed);
    var grouped = EpisodeSampler.groupByUser(reversed);
    assertEquals(List.of("u0", "u1", "u2"), List.copyOf(grouped.keySet()));
    assertEquals(EpisodeSampler.groupByUser(input), grouped);
    List<String> u0 = grouped.get("u0").stream().map(PreferencePair::pairId).toList();
    List<String> sorted = new ArrayList<>(u0);
    Collections.sort(sorted);
    assertEquals(sorted, u0);
  }

  @Test
  void shotSpecParsesAndRejects() {
    assertEquals(ShotSpec.fixed(4), ShotSpec.parse("4"));
    assertEquals(ShotSpec.range(2, 8), ShotSpec.parse("2-8"));
    assertEquals(ShotSpec.range(2, 8), ShotSpec.parse("2..8"));
    assertEquals("2-8", ShotSpec.range(2, 8).toString());
    assertThrows(IllegalArgumentException.class, () -> ShotSpec.parse("8-2"));
    assertThrows(IllegalArgumentException.class, () -> ShotSpec.parse("many"));
    assertFalse(ShotSpec.range(1, 2).isFixed());
  }
}
