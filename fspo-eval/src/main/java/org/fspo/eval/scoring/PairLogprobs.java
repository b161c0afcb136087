package org.fspo.eval.scoring;

import java.util.List;
import org.fspo.core.prompt.RenderedPair;
import org.fspo.train.data.Truncation;

/**
 * One model's summed response log-probs for rendered pairs: for each pair, log p(chosen | prompt) and
 * log p(rejected | prompt), each summed over the completion's tokens (the official FSPO reduction).
 */
public interface PairLogprobs extends AutoCloseable {
  /** [n][2]: {logp(chosen), logp(rejected)} for each pair, in order. */
  double[][] score(List<RenderedPair> pairs);

  /**
   * What scoring {@code pair} would cut to fit the model's max_seq_len (the collator's rule for rendered pairs: cut
   * completions to the room left, then the prompt from the left). {@link Truncation#NONE} when it fits whole; the
   * default, for models without a length limit.
   */
  default Truncation fit(RenderedPair pair) {
    return Truncation.NONE;
  }

  @Override
  default void close() {}
}
