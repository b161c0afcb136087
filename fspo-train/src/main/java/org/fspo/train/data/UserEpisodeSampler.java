package org.fspo.train.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;

/**
 * Every training pair is the query of one episode per epoch; its shots are drawn without replacement from the same
 * user's other pairs, the count uniform in [shotsMin, shotsMax]. A user with fewer than shotsMin + 1 pairs either
 * gets fewer shots ({@code skipShortUsers} false) or is left out, counted in {@link #skippedUsers()}. The result is a
 * function of (pairs as a set, seed, epoch) only: pairs are grouped and ordered by user id and pair id first, and the
 * episodes are shuffled at the end.
 */
public final class UserEpisodeSampler implements EpisodeSource {
  private final Map<String, List<PreferencePair>> byUser = new TreeMap<>();
  private final int shotsMin, shotsMax;
  private final boolean skipShortUsers;
  private final long seed;
  private final int skippedUsers;

  public UserEpisodeSampler(List<PreferencePair> pairs, int shotsMin, int shotsMax, boolean skipShortUsers,
      long seed) {
    if (shotsMin < 0 || shotsMax < shotsMin) throw new IllegalArgumentException("need 0 <= shots_min <= shots_max");
    for (PreferencePair p : pairs) byUser.computeIfAbsent(p.userId(), u -> new ArrayList<>()).add(p);
    byUser.values().forEach(l -> l.sort(Comparator.comparing(PreferencePair::pairId)));
    this.shotsMin = shotsMin;
    this.shotsMax = shotsMax;
    this.skipShortUsers = skipShortUsers;
    this.seed = seed;
    int skipped = 0;
    for (List<PreferencePair> l : byUser.values()) if (isShort(l)) skipped++;
    this.skippedUsers = skipped;
  }

  private boolean isShort(List<PreferencePair> userPairs) {
    return skipShortUsers && userPairs.size() < shotsMin + 1;
  }

  /** Users left out of every epoch by the skip policy. */
  public int skippedUsers() {
    return skippedUsers;
  }

  @Override
  public List<Episode> epoch(long epoch) {
    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    List<Episode> out = new ArrayList<>();
    for (Map.Entry<String, List<PreferencePair>> user : byUser.entrySet()) {
      List<PreferencePair> all = user.getValue();
      if (isShort(all)) continue;
      for (int q = 0; q < all.size(); q++) {
        int k = Math.min(shotsMin + rnd.nextInt(shotsMax - shotsMin + 1), all.size() - 1);
        List<PreferencePair> others = new ArrayList<>(all);
        PreferencePair query = others.remove(q);
        for (int i = 0; i < k; i++) { // partial Fisher-Yates: the first k are a uniform sample, in random order
          int j = i + rnd.nextInt(others.size() - i);
          others.set(i, others.set(j, others.get(i)));
        }
        out.add(new Episode(user.getKey(), others.subList(0, k), query));
      }
    }
    for (int i = out.size() - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      out.set(i, out.set(j, out.get(i)));
    }
    return out;
  }
}
