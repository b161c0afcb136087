package org.fspo.core.episode;

/**
 * What the episode sampler does when a user has too few other pairs for the shot count drawn for an episode
 * (a user needs N+1 pairs for an N-shot episode: N shots plus the query).
 */
public enum ShortUserPolicy {
  /** Use all of the user's other pairs as shots (fewer than drawn, possibly zero); counted as "shortened". */
  FEWER_SHOTS,
  /** Drop the episode; counted as "skipped". A user none of whose episodes survive is counted as a skipped user. */
  SKIP
}
