package org.fspo.core.episode;

import java.util.ArrayList;
import java.util.List;

/**
 * What one sampling pass produced, with the counts that make it auditable: every pair of every user is either the
 * query of an episode or counted in {@code episodesSkipped}, so {@code episodes.size() + episodesSkipped} equals the
 * number of input pairs.
 *
 * @param episodes          in user_id order, then the query's pair_id order
 * @param users             users seen
 * @param usersSkipped      users that produced no episode at all (under {@link ShortUserPolicy#SKIP})
 * @param episodesSkipped   episodes dropped because the user had too few other pairs ({@link ShortUserPolicy#SKIP})
 * @param episodesShortened episodes given fewer shots than drawn ({@link ShortUserPolicy#FEWER_SHOTS})
 */
public record SampledEpisodes(
    List<Episode> episodes, int users, int usersSkipped, int episodesSkipped, int episodesShortened) {

  public SampledEpisodes {
    episodes = List.copyOf(episodes);
  }

  public static SampledEpisodes empty() {
    return new SampledEpisodes(List.of(), 0, 0, 0, 0);
  }

  /** This result followed by {@code other}'s episodes, counts summed. */
  public SampledEpisodes plus(SampledEpisodes other) {
    List<Episode> all = new ArrayList<>(episodes);
    all.addAll(other.episodes);
    return new SampledEpisodes(
        all,
        users + other.users,
        usersSkipped + other.usersSkipped,
        episodesSkipped + other.episodesSkipped,
        episodesShortened + other.episodesShortened);
  }

  /** One line for logs: "120 episodes from 12 users (0 users and 0 episodes skipped, 3 shortened)". */
  public String summary() {
    return episodes.size() + " episodes from " + users + " users (" + usersSkipped + " users and " + episodesSkipped
        + " episodes skipped, " + episodesShortened + " shortened)";
  }
}
