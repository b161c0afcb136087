package org.fspo.eval.generate;

import org.fspo.core.episode.Episode;

/** Writes one method's response to the query of an episode, as that method sees the episode. */
@FunctionalInterface
public interface ResponseWriter {
  String respond(Episode episode);
}
