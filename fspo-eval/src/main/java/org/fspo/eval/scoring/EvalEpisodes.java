package org.fspo.eval.scoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Split;

/**
 * The deterministic episodes reward accuracy is measured on. Unlike training's sampler (fresh draws every epoch),
 * evaluation fixes everything, so that every method and every shot count sees the same users and query pairs:
 *
 * <ol>
 *   <li>a user's pairs are sorted by pair_id and shuffled with a seed derived from (seed, user_id); the first
 *       {@code queriesPerUser} are the queries;
 *   <li>for each query, the user's other pairs are shuffled with a seed from (seed, user_id, pair_id): the context
 *       order. The k-shot episode takes its first k pairs, so contexts are nested (the 4-shot context is the 2-shot
 *       context plus two more), which keeps the accuracy-vs-shots curve free of context-resampling noise.
 * </ol>
 *
 * A user needs at least max(shots) + 1 pairs; users with fewer are skipped, counted in {@link Plan#skippedUsers()}.
 *
 * @param shots          the shot counts, e.g. [0, 1, 2, 4, 8]
 * @param queriesPerUser query pairs per user (fewer if the user has fewer pairs than max(shots) + this)
 * @param seed           the eval seed
 */
public record EvalEpisodes(List<Integer> shots, int queriesPerUser, long seed) {
  public EvalEpisodes {
    shots = shots.stream().distinct().sorted().toList();
    if (shots.isEmpty() || shots.get(0) < 0) {
      throw new IllegalArgumentException("shots must be a non-empty list of counts >= 0, got " + shots);
    }
    if (queriesPerUser < 1) {
      throw new IllegalArgumentException("queries_per_user must be >= 1, got " + queriesPerUser);
    }
  }

  /**
   * The episodes and who was left out.
   *
   * @param episodes     per shot count, in (user, query) order
   * @param users        users evaluated
   * @param skippedUsers users with fewer than max(shots) + 1 pairs
   */
  public record Plan(List<EvalEpisode> episodes, List<String> users, List<String> skippedUsers) {}

  public int maxShots() {
    return shots.get(shots.size() - 1);
  }

  public Plan plan(List<PreferencePair> pairs) {
    Map<String, List<PreferencePair>> byUser = pairs.stream()
        .collect(Collectors.groupingBy(PreferencePair::userId, TreeMap::new, Collectors.toList()));
    List<EvalEpisode> episodes = new ArrayList<>();
    List<String> users = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    byUser.forEach((user, userPairs) -> {
      if (userPairs.size() < maxShots() + 1) {
        skipped.add(user);
        return;
      }
      users.add(user);
      List<PreferencePair> order = shuffled(userPairs, seed + ":" + user);
      int queries = Math.min(queriesPerUser, order.size());
      for (int q = 0; q < queries; q++) {
        PreferencePair query = order.get(q);
        List<PreferencePair> others = new ArrayList<>(userPairs);
        others.removeIf(p -> p.pairId().equals(query.pairId()));
        List<PreferencePair> context = shuffled(others, seed + ":" + user + ":" + query.pairId());
        for (int k : shots) {
          episodes.add(new EvalEpisode(k, new Episode(user, context.subList(0, k), query)));
        }
      }
    });
    return new Plan(episodes, users, skipped);
  }

  /** Sorted by pair_id, then Fisher-Yates with a seed hashed from the key: independent of input order. */
  static List<PreferencePair> shuffled(List<PreferencePair> pairs, String key) {
    List<PreferencePair> out = new ArrayList<>(pairs);
    out.sort(Comparator.comparing(PreferencePair::pairId));
    SplittableRandom rng = new SplittableRandom(Double.doubleToLongBits(Split.unitHash(key)));
    for (int i = out.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      PreferencePair tmp = out.get(i);
      out.set(i, out.get(j));
      out.set(j, tmp);
    }
    return out;
  }
}
