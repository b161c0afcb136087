package org.fspo.train.model.lora;

import java.util.List;
import org.fspo.core.FspoUserException;

/**
 * The LoRA hyper-parameters, as PEFT's LoraConfig names them in adapter_config.json (peft/tuners/lora/config.py).
 * A targeted projection y = x W^T + b becomes {@code y + scale * (x A^T) B^T}, A [r, in], B [out, r], with
 * {@code scale = lora_alpha / r}, or {@code lora_alpha / sqrt(r)} with use_rslora (Kalajdzievski 2023).
 *
 * @param r                  rank, at least 1
 * @param loraAlpha          lora_alpha, positive
 * @param useRslora          use_rslora: scale by alpha / sqrt(r) instead of alpha / r
 * @param targetModules      target_modules as a list: a module matches a name equal to it or ending in "." + it;
 *                           "all-linear" matches every projection (never the LM head). Null when a pattern is given
 * @param targetPattern      target_modules as one string: a regular expression the whole module path must match
 * @param fanInFanOut        fan_in_fan_out: written true for GPT-2 (Conv1D stores W as [in, out]); PEFT overrides a
 *                           wrong value per layer type with a warning, and so does this code (it follows the layer)
 * @param loraDropout        lora_dropout in [0, 1): dropout on the adapter's input in training; none at inference
 * @param baseModelNameOrPath base_model_name_or_path, informational (may be null)
 */
public record LoraConfig(int r, double loraAlpha, boolean useRslora, List<String> targetModules,
    String targetPattern, boolean fanInFanOut, double loraDropout, String baseModelNameOrPath) {

  public static final String ALL_LINEAR = "all-linear";

  public LoraConfig {
    require(r >= 1, "r must be at least 1, got " + r);
    require(loraAlpha > 0 && Double.isFinite(loraAlpha), "lora_alpha must be positive, got " + loraAlpha);
    require(loraDropout >= 0 && loraDropout < 1, "lora_dropout must be in [0, 1), got " + loraDropout);
    require((targetModules == null) != (targetPattern == null),
        "target_modules must be a list of module names or one regular expression");
    require(targetModules == null || !targetModules.isEmpty(),
        "target_modules is empty; name the projections to adapt");
    targetModules = targetModules == null ? null : List.copyOf(targetModules);
  }

  /** A list-of-names config with the given scale settings and no dropout. */
  public static LoraConfig of(int r, double alpha, boolean useRslora, List<String> targetModules) {
    return new LoraConfig(r, alpha, useRslora, targetModules, null, false, 0.0, null);
  }

  /** The factor on B A: alpha / r, or alpha / sqrt(r) with use_rslora. */
  public double scale() {
    return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
  }

  /** PEFT's check_target_module_exists: exact or "."-suffix match of a name, or a full regex match. */
  public boolean targets(String module) {
    if (targetPattern != null) return module.matches(targetPattern);
    for (String t : targetModules) {
      if (t.equals(ALL_LINEAR) || module.equals(t) || module.endsWith("." + t)) return true;
    }
    return false;
  }

  /** target_modules as written in the file: the list, or the pattern. */
  public Object targetModulesJson() {
    return targetModules != null ? targetModules : targetPattern;
  }

  public LoraConfig withFanInFanOut(boolean on) {
    return new LoraConfig(r, loraAlpha, useRslora, targetModules, targetPattern, on, loraDropout, baseModelNameOrPath);
  }

  public LoraConfig withDropout(double p) {
    return new LoraConfig(r, loraAlpha, useRslora, targetModules, targetPattern, fanInFanOut, p, baseModelNameOrPath);
  }

  public LoraConfig withBaseModel(String nameOrPath) {
    return new LoraConfig(r, loraAlpha, useRslora, targetModules, targetPattern, fanInFanOut, loraDropout, nameOrPath);
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new FspoUserException("lora config: " + message, FspoUserException.CONFIG);
  }
}
