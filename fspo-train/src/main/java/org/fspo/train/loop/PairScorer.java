package org.fspo.train.loop;

import java.util.List;
import org.fspo.core.episode.Episode;
import org.fspo.core.prompt.RenderedPair;
import org.fspo.train.data.Collated;
import org.fspo.train.data.PairCollator;
import org.fspo.train.model.CausalLm;

/**
 * Forward-only scoring of preference pairs with one model: for each pair, the summed log-probs of the chosen and the
 * rejected completion (each followed by the end-of-sequence token, exactly as in training) after the shared prompt.
 * Batches of {@code batchPairs} pairs; truncation as {@link PairCollator} does. Not thread-safe: one per thread.
 */
public final class PairScorer {
  private final CausalLm model;
  private final PairCollator collator;
  private final int batchPairs;

  public PairScorer(CausalLm model, PairCollator collator, int batchPairs) {
    if (batchPairs < 1) throw new IllegalArgumentException("batch_pairs must be >= 1, got " + batchPairs);
    this.model = model;
    this.collator = collator;
    this.batchPairs = batchPairs;
  }

  /** [n][2] {logp chosen, logp rejected} of already rendered pairs (only response and left-prompt cuts apply). */
  public double[][] scoreRendered(List<RenderedPair> pairs) {
    double[][] out = new double[pairs.size()][];
    for (int from = 0; from < pairs.size(); from += batchPairs) {
      fill(out, from, collator.collateRendered(pairs.subList(from, Math.min(pairs.size(), from + batchPairs))));
    }
    return out;
  }

  /** [n][2] for episodes rendered in the collator's format (shots dropped first when too long). */
  public double[][] scoreEpisodes(List<Episode> episodes) {
    double[][] out = new double[episodes.size()][];
    for (int from = 0; from < episodes.size(); from += batchPairs) {
      fill(out, from, collator.collate(episodes.subList(from, Math.min(episodes.size(), from + batchPairs))));
    }
    return out;
  }

  private void fill(double[][] out, int from, Collated batch) {
    double[] seq = model.forward(batch.batch()).seqLogps();
    for (int i = 0; i < batch.pairs(); i++) out[from + i] = new double[] {seq[2 * i], seq[2 * i + 1]};
  }
}
