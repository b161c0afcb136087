package org.fspo.eval.serve;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Split;

/**
 * Which of a known user's stored pairs become the shots of a request ({@code --shots-from}), given the user's pairs
 * in time order (see {@link UserShots}).
 *
 * <pre>
 * RECENT  the last k pairs, oldest first (the default)
 * RANDOM  k pairs drawn with a seed, per user: the same user always gets the same shots
 * BUDGET  the most recent pairs that fit in a token budget (rendered question + responses), oldest first
 * </pre>
 */
public enum ShotPolicy {
  RECENT, RANDOM, BUDGET;

  /** Token count of one rendered shot, for BUDGET. */
  @FunctionalInterface
  public interface ShotTokens {
    int of(PreferencePair pair);
  }

  /**
   * The shots for one user's pairs (in store order).
   *
   * @param k      shots for RECENT and RANDOM
   * @param seed   RANDOM's seed
   * @param budget BUDGET's token budget
   */
  public List<PreferencePair> choose(List<PreferencePair> pairs, int k, long seed, int budget, ShotTokens tokens) {
    int n = pairs.size();
    switch (this) {
      case RECENT:
        return List.copyOf(pairs.subList(Math.max(0, n - k), n));
      case RANDOM: {
        List<PreferencePair> shuffled = new ArrayList<>(pairs);
        String user = n == 0 ? "" : pairs.get(0).userId();
        Collections.shuffle(shuffled, new Random(Double.doubleToLongBits(Split.unitHash(seed + ":" + user))));
        return List.copyOf(shuffled.subList(0, Math.min(k, n)));
      }
      default: {
        int used = 0, from = n;
        while (from > 0 && used + tokens.of(pairs.get(from - 1)) <= budget) {
          used += tokens.of(pairs.get(--from));
        }
        return List.copyOf(pairs.subList(from, n));
      }
    }
  }
}
