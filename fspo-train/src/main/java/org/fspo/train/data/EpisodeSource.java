package org.fspo.train.data;

import java.util.List;
import org.fspo.core.episode.Episode;

/**
 * The training episodes of one epoch, in training order. Meta-learning re-samples the shots every epoch, so each
 * call draws afresh, deterministically for (the source's seed, epoch): a resumed run sees the same episodes.
 */
@FunctionalInterface
public interface EpisodeSource {
  List<Episode> epoch(long epoch);
}
