package org.fspo.eval.scoring;

import java.util.List;
import org.fspo.core.prompt.RenderedPair;

/**
 * One model's summed response log-probs for rendered pairs: for each pair, log p(chosen | prompt) and
 * log p(rejected | prompt), each summed over the completion's tokens (the official FSPO reduction).
 */
public interface PairLogprobs extends AutoCloseable {
  /** [n][2]: {logp(chosen), logp(rejected)} for each pair, in order. */
  double[][] score(List<RenderedPair> pairs);

  @Override
  default void close() {}
}
