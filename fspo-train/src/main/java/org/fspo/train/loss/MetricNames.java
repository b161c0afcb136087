package org.fspo.train.loss;

/**
 * Metric keys, exactly TRL's (DPOTrainer's {@code get_batch_loss_metrics}), written once. Evaluation rows carry the
 * same keys with {@link #EVAL_PREFIX}. The record has no components: it is a namespace for the constants.
 */
public record MetricNames() {
  public static final String LOSS = "loss";
  public static final String REWARDS_CHOSEN = "rewards/chosen";
  public static final String REWARDS_REJECTED = "rewards/rejected";
  /** Fraction of pairs with reward chosen strictly greater than reward rejected. */
  public static final String REWARDS_ACCURACIES = "rewards/accuracies";
  public static final String REWARDS_MARGINS = "rewards/margins";
  /** Mean policy log-prob of the chosen completions, in the run's reduction (summed or per token). */
  public static final String LOGPS_CHOSEN = "logps/chosen";
  public static final String LOGPS_REJECTED = "logps/rejected";
  /** TRL's name for the chosen completion's per-token NLL, logged when rpo_alpha is on (already inside loss). */
  public static final String NLL_LOSS = "nll_loss";
  public static final String GRAD_NORM = "grad_norm";
  public static final String LEARNING_RATE = "lr";
  public static final String TOKENS_PER_SECOND = "tokens/s";
  public static final String EVAL_PREFIX = "eval_";
}
