package org.fspo.core.episode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Draws FSPO episodes: for one user, every pair in turn is the query, and the shots come from that user's other
 * pairs. A sampler is a strategy (see {@link RandomEpisodeSampler}); callers pass an epoch so that each pass over the
 * data re-samples the shots (meta-learning: a new task instance per epoch) while staying reproducible.
 *
 * <p>Contract for every implementation: the query is never among the shots, all pairs of an episode belong to one
 * user, and the result depends only on (the implementation's settings, the pairs, the epoch), never on the order of
 * the input list or on the JVM.
 */
public interface EpisodeSampler {

  /**
   * Episodes for one user at one epoch.
   *
   * @param userId the user
   * @param pairs  all of this user's pairs, in any order (implementations sort by pair_id)
   * @param epoch  the pass number, from 0
   */
  SampledEpisodes sampleUser(String userId, List<PreferencePair> pairs, int epoch);

  /** Episodes for every user in {@code pairs}, in user_id order (see {@link #groupByUser}). */
  default SampledEpisodes sample(List<PreferencePair> pairs, int epoch) {
    SampledEpisodes result = SampledEpisodes.empty();
    for (Map.Entry<String, List<PreferencePair>> user : groupByUser(pairs).entrySet()) {
      result = result.plus(sampleUser(user.getKey(), user.getValue(), epoch));
    }
    return result;
  }

  /**
   * Groups pairs by user_id, deterministically: users in user_id order, each user's pairs in pair_id order, whatever
   * the input order. The lists are unmodifiable.
   */
  static SortedMap<String, List<PreferencePair>> groupByUser(List<PreferencePair> pairs) {
    SortedMap<String, List<PreferencePair>> byUser = new TreeMap<>();
    for (PreferencePair pair : pairs) {
      byUser.computeIfAbsent(pair.userId(), id -> new ArrayList<>()).add(pair);
    }
    byUser.replaceAll((id, list) -> sortedByPairId(list));
    return byUser;
  }

  /** A copy sorted by pair_id (pair ids are unique within a store). */
  static List<PreferencePair> sortedByPairId(List<PreferencePair> pairs) {
    List<PreferencePair> sorted = new ArrayList<>(pairs);
    sorted.sort(Comparator.comparing(PreferencePair::pairId));
    return List.copyOf(sorted);
  }
}
