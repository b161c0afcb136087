package org.fspo.eval.generate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.StableHash;

/**
 * Chooses the N stored pairs of a user that become the shots for one of that user's questions: the user's pairs
 * sorted by pair_id (so the order the store or a shuffle delivered them in does not matter), minus the question's own
 * pair (same pair_id, or the same question text), then the first N of a shuffle seeded by (seed, user_id,
 * question_id). The same question always gets the same shots, whatever the partitioning.
 */
public final class ShotPicker {
  private ShotPicker() {}

  /** The shots, or null when the user has fewer than {@code shots} other pairs. */
  public static List<PreferencePair> pick(List<PreferencePair> userPairs, String questionId, String question,
      int shots, long seed) {
    List<PreferencePair> pool = new ArrayList<>(userPairs.size());
    String text = question.strip();
    for (PreferencePair p : userPairs) {
      if (!p.pairId().equals(questionId) && !p.prompt().strip().equals(text)) {
        pool.add(p);
      }
    }
    if (pool.size() < shots) {
      return null;
    }
    pool.sort(Comparator.comparing(PreferencePair::pairId));
    String userId = userPairs.isEmpty() ? "" : userPairs.get(0).userId();
    SplittableRandom rng = new SplittableRandom(StableHash.long64("shots", Long.toString(seed), userId, questionId));
    for (int i = 0; i < shots; i++) { // partial Fisher-Yates: positions 0..shots-1 get a uniform sample
      int j = i + rng.nextInt(pool.size() - i);
      PreferencePair swap = pool.get(i);
      pool.set(i, pool.get(j));
      pool.set(j, swap);
    }
    return List.copyOf(pool.subList(0, shots));
  }
}
