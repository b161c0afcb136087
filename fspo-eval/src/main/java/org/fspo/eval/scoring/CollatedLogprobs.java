package org.fspo.eval.scoring;

import java.util.List;
import java.util.function.Function;
import org.fspo.core.prompt.RenderedPair;
import org.fspo.train.data.PairCollator;
import org.fspo.train.data.Truncation;

/**
 * A model's pair log-probs that also say what its collator would cut to fit max_seq_len, so that eval can drop
 * shots instead ({@link RewardScorer#fit}). The fit asks the same {@link PairCollator#collateRendered} the scores
 * come from, so what eval checks is what the model is fed.
 *
 * @param scores   summed log-probs of rendered pairs, collated by {@code collator} (e.g. PairScorer::scoreRendered)
 * @param collator the run's collator
 */
public record CollatedLogprobs(Function<List<RenderedPair>, double[][]> scores, PairCollator collator)
    implements PairLogprobs {

  @Override
  public double[][] score(List<RenderedPair> pairs) {
    return scores.apply(pairs);
  }

  @Override
  public Truncation fit(RenderedPair pair) {
    return collator.collateRendered(List.of(pair)).truncation();
  }
}
