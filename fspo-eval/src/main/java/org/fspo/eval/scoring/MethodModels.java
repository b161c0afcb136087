package org.fspo.eval.scoring;

/**
 * The loaded models of one method: policy and reference log-probs, and (for COT) a description writer backed by the
 * policy. Closing releases them.
 */
public record MethodModels(PairLogprobs policy, PairLogprobs reference, DescriptionWriter writer)
    implements AutoCloseable {
  @Override
  public void close() {
    policy.close();
    if (reference != policy) {
      reference.close();
    }
  }
}
