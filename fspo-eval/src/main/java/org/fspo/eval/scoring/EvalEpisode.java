package org.fspo.eval.scoring;

import org.fspo.core.episode.Episode;

/**
 * One scoring unit: an episode whose shots are the first {@code shots} of the query's fixed context order.
 *
 * @param shots   the requested shot count (the episode has exactly this many shots)
 * @param episode the user's shots and held-out query pair
 */
public record EvalEpisode(int shots, Episode episode) {
  public EvalEpisode {
    if (episode.shots().size() != shots) {
      throw new IllegalArgumentException("eval episode of " + episode.userId() + " has " + episode.shots().size()
          + " shots, expected " + shots);
    }
  }
}
