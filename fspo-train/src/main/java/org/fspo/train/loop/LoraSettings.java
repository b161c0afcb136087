package org.fspo.train.loop;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.fspo.train.model.lora.LoraConfig;

/**
 * train.lora (conf/train.yaml): train low-rank adapters on a frozen base instead of every weight (issue 10). With
 * enabled, stage 1 trains an adapter and merges it into sft/; stage 2 trains a fresh one on the merged model, whose
 * own log-probs are the reference ({@link LoraStages}).
 *
 * @param enabled       train adapters on a frozen base (default false: full fine-tuning)
 * @param rank          adapter rank r (default 16)
 * @param alpha         lora_alpha (default 32)
 * @param useRslora     scale by alpha / sqrt(rank) instead of alpha / rank (default false)
 * @param dropout       PEFT's lora_dropout: dropout on the adapter input in training steps only, in [0, 1)
 *                      (default 0)
 * @param targetModules PEFT target_modules names, or all-linear (default [all-linear])
 * @param baseDtype     dtype the frozen base is held in: f32 (default); bf16 is refused with the measured reason
 */
public record LoraSettings(
    @JsonProperty("enabled") boolean enabled,
    @JsonProperty("rank") int rank,
    @JsonProperty("alpha") double alpha,
    @JsonProperty("use_rslora") boolean useRslora,
    @JsonProperty("dropout") double dropout,
    @JsonProperty("target_modules") List<String> targetModules,
    @JsonProperty("base_dtype") String baseDtype) {

  /** Why base_dtype bf16 is refused: measured with scripts/bench/bf16_base (docs/train.md, "A BF16 base"). */
  static final String BF16_REFUSED = "train.lora.base_dtype bf16 is not supported: ND4J 1.0.0-M2.1 on the CPU "
      + "multiplies BF16 17-86x slower than F32 and accumulates in BF16 (3-8% relative error; scripts/bench/bf16_base)"
      + "; use base_dtype f32";

  public LoraSettings {
    TrainConfig.require(rank >= 1, "lora.rank", "at least 1", rank);
    TrainConfig.require(alpha > 0 && Double.isFinite(alpha), "lora.alpha", "positive", alpha);
    TrainConfig.require(dropout >= 0 && dropout < 1, "lora.dropout", "in [0, 1)", dropout);
    TrainConfig.require(targetModules != null && !targetModules.isEmpty(), "lora.target_modules",
        "a non-empty list such as [q_proj, v_proj] or [all-linear]", targetModules);
    targetModules = List.copyOf(targetModules);
    baseDtype = baseDtype == null ? "f32" : baseDtype; // absent (a run's config.yaml from before the key): f32
    if ("bf16".equals(baseDtype)) throw new FspoUserException(BF16_REFUSED, FspoUserException.CONFIG);
    TrainConfig.require("f32".equals(baseDtype), "lora.base_dtype", "f32", baseDtype);
  }

  public static LoraSettings defaults() {
    return new LoraSettings(false, 16, 32, false, 0, List.of(LoraConfig.ALL_LINEAR), "f32");
  }

  /** The adapter's hyper-parameters in PEFT's terms (what adapter_config.json will hold). */
  public LoraConfig toLoraConfig() {
    return LoraConfig.of(rank, alpha, useRslora, targetModules).withDropout(dropout);
  }
}
