package org.fspo.train.loop;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.fspo.core.config.ConfigValueException;
import org.fspo.train.loss.PreferenceLoss;

/**
 * train.sft and train.fspo: one training stage. SFT (stage 1, the paper's few-shot Pref-FT) maximizes the
 * likelihood of the completion after the few-shot prompt; FSPO (stage 2) optimizes the preference loss against the
 * frozen stage-1 model.
 *
 * @param epochs          passes over the training pairs, each with freshly sampled shots (default sft 1, fspo 2)
 * @param steps           optimizer steps of the stage; 0 means epochs x steps per epoch (default 0)
 * @param lr              peak learning rate (default sft 3e-4, fspo 1e-4)
 * @param includeRejected sft only: also train on the rejected completion, as the official code (default false)
 * @param loss            fspo only: ipo (default, as the paper) or dpo (sigmoid)
 * @param reduction       fspo only: sum (log-probs summed over response tokens, the official code, default) or
 *                        mean_per_token (TRL's ipo)
 * @param beta            fspo only: the preference temperature (default 0.01)
 * @param rpoAlpha        fspo only: weight of an added NLL term on the chosen completion (TRL's {@code rpo_alpha},
 *                        Pang et al. 2024): keeps the policy a fluent generator while the preference loss moves it;
 *                        0 (default, as the paper) turns it off
 */
public record StageConfig(
    @JsonProperty("epochs") int epochs,
    @JsonProperty("steps") int steps,
    @JsonProperty("lr") double lr,
    @JsonProperty("include_rejected") boolean includeRejected,
    @JsonProperty("loss") String loss,
    @JsonProperty("reduction") String reduction,
    @JsonProperty("beta") double beta,
    @JsonProperty("rpo_alpha") double rpoAlpha) {

  public StageConfig {
    // Keys relative to the stage: the config loader names the stage (train.sft.lr, train.fspo.lr) in the message.
    require(epochs >= 0 && steps >= 0 && epochs + steps > 0, "epochs/steps", "non-negative, at least one positive",
        epochs + "/" + steps);
    require(lr >= 0, "lr", "non-negative", lr);
    require(loss.equals("ipo") || loss.equals("dpo"), "loss", "ipo or dpo", loss);
    require(reduction.equals("sum") || reduction.equals("mean_per_token"), "reduction", "sum or mean_per_token",
        reduction);
    require(beta > 0, "beta", "positive", beta);
    require(rpoAlpha >= 0, "rpo_alpha", "non-negative", rpoAlpha);
  }

  private static void require(boolean ok, String key, String what, Object got) {
    if (!ok) {
      throw new ConfigValueException(key, what, got);
    }
  }

  public static StageConfig sftDefaults() {
    return new StageConfig(1, 0, 3e-4, false, "ipo", "sum", 0.01, 0);
  }

  public static StageConfig fspoDefaults() {
    return new StageConfig(2, 0, 1e-4, false, "ipo", "sum", 0.01, 0);
  }

  public PreferenceLoss.Type lossType() {
    return loss.equals("ipo") ? PreferenceLoss.Type.IPO : PreferenceLoss.Type.DPO_SIGMOID;
  }

  public PreferenceLoss.LogpReduction logpReduction() {
    return reduction.equals("sum") ? PreferenceLoss.LogpReduction.SUM : PreferenceLoss.LogpReduction.MEAN_PER_TOKEN;
  }
}
