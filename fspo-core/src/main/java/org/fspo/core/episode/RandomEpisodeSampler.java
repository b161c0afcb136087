package org.fspo.core.episode;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The default {@link EpisodeSampler}: every pair of a user is the query once per epoch, with shots drawn uniformly
 * without replacement from the user's other pairs, in random order.
 *
 * <p>Determinism: one {@link SplittableRandom} per (seed, epoch, user), seeded with the first 64 bits of
 * SHA-256("seed", "epoch", "user_id") ({@link StableHash#long64}). The pairs are sorted by pair_id first. So a user's
 * episodes depend only on the seed, the epoch and that user's pairs: not on other users, the input order, or how
 * the users are spread over threads or executors. A different epoch gives a different draw.
 *
 * <p>Per episode, in query order: draw k from the {@link ShotSpec}; if the user has fewer than k other pairs, apply
 * the {@link ShortUserPolicy}: FEWER_SHOTS uses all other pairs (counted as shortened; a user with a single pair gets
 * a zero-shot episode), SKIP drops the episode (counted). With a fixed N, SKIP therefore drops exactly the users with
 * fewer than N+1 pairs.
 *
 * <p>Example, seed 7, shots 2, a user with pairs [a, b, c, d]: epoch 0 might give a|[c, b], b|[d, a], c|[a, d],
 * d|[b, c] (query|shots), and epoch 1 another draw of the same shape.
 */
public final class RandomEpisodeSampler implements EpisodeSampler {
  private final ShotSpec shots;
  private final ShortUserPolicy policy;
  private final long seed;

  public RandomEpisodeSampler(ShotSpec shots, ShortUserPolicy policy, long seed) {
    this.shots = shots;
    this.policy = policy;
    this.seed = seed;
  }

  @Override
  public SampledEpisodes sampleUser(String userId, List<PreferencePair> pairs, int epoch) {
    List<PreferencePair> sorted = EpisodeSampler.sortedByPairId(pairs);
    SplittableRandom random = new SplittableRandom(StableHash.long64(
        Long.toString(seed), Integer.toString(epoch), userId));
    List<Episode> episodes = new ArrayList<>(sorted.size());
    int skipped = 0;
    int shortened = 0;
    for (int query = 0; query < sorted.size(); query++) {
      int wanted = shots.draw(random);
      int available = sorted.size() - 1;
      if (wanted > available && policy == ShortUserPolicy.SKIP) {
        skipped++;
        continue;
      }
      if (wanted > available) {
        shortened++;
      }
      List<PreferencePair> drawn = drawOthers(sorted, query, Math.min(wanted, available), random);
      episodes.add(new Episode(userId, drawn, sorted.get(query)));
    }
    int userSkipped = episodes.isEmpty() && !sorted.isEmpty() ? 1 : 0;
    return new SampledEpisodes(episodes, 1, userSkipped, skipped, shortened);
  }

  /** k of the pairs other than {@code query}, uniformly without replacement (a partial Fisher-Yates shuffle). */
  private static List<PreferencePair> drawOthers(
      List<PreferencePair> pairs, int query, int k, SplittableRandom random) {
    List<PreferencePair> others = new ArrayList<>(pairs.size() - 1);
    for (int i = 0; i < pairs.size(); i++) {
      if (i != query) {
        others.add(pairs.get(i));
      }
    }
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(others.size() - i);
      PreferencePair swap = others.get(i);
      others.set(i, others.get(j));
      others.set(j, swap);
    }
    return List.copyOf(others.subList(0, k));
  }

  public ShotSpec shots() {
    return shots;
  }

  public ShortUserPolicy policy() {
    return policy;
  }

  public long seed() {
    return seed;
  }
}
