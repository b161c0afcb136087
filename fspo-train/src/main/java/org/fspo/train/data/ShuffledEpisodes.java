package org.fspo.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.EpisodeSampler;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.SampledEpisodes;

/**
 * Training episodes from fspo-core's {@link EpisodeSampler} (every pair a query once per epoch, shots re-drawn per
 * epoch, the short-user policy applied), shuffled so that a batch mixes users: the sampler returns them in user
 * order. The shuffle is seeded by (seed, epoch), so an epoch's order is reproducible, as resume needs.
 */
public final class ShuffledEpisodes implements EpisodeSource {
  private final List<PreferencePair> pairs;
  private final EpisodeSampler sampler;
  private final long seed;
  private SampledEpisodes last = SampledEpisodes.empty();

  public ShuffledEpisodes(List<PreferencePair> pairs, EpisodeSampler sampler, long seed) {
    this.pairs = List.copyOf(pairs);
    this.sampler = sampler;
    this.seed = seed;
  }

  @Override
  public List<Episode> epoch(long epoch) {
    last = sampler.sample(pairs, Math.toIntExact(epoch));
    List<Episode> out = new ArrayList<>(last.episodes());
    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    for (int i = out.size() - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      out.set(i, out.set(j, out.get(i)));
    }
    return out;
  }

  /** The counts of the latest epoch drawn (users and episodes skipped or shortened). */
  public SampledEpisodes lastCounts() {
    return last;
  }
}
