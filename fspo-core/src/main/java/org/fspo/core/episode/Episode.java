package org.fspo.core.episode;

import java.util.List;

/**
 * One FSPO training or evaluation example: N context pairs (shots) of one user and one held-out query pair of the
 * same user that is not among the shots.
 *
 * @param userId the user all pairs belong to
 * @param shots  the context pairs, in prompt order (may be fewer than requested, see the sampler's policy)
 * @param query  the held-out pair the loss is computed on
 */
public record Episode(String userId, List<PreferencePair> shots, PreferencePair query) {
  public Episode {
    shots = List.copyOf(shots);
    for (PreferencePair shot : shots) {
      if (!shot.userId().equals(userId) || shot.pairId().equals(query.pairId())) {
        throw new IllegalArgumentException("episode of " + userId + " mixes users or repeats the query as a shot");
      }
    }
    if (!query.userId().equals(userId)) {
      throw new IllegalArgumentException("episode of " + userId + " has a query of user " + query.userId());
    }
  }
}
