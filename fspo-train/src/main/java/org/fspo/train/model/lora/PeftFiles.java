package org.fspo.train.model.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.SafeTensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A PEFT LoRA adapter folder, as {@code PeftModel.save_pretrained} writes it and vLLM's --enable-lora reads it:
 * adapter_config.json (peft/tuners/lora/config.py's LoraConfig) and adapter_model.safetensors with PEFT's names.
 * Keys that change what the adapter computes and that this code does not implement (DoRA, LoRA biases, per-module
 * ranks, modules_to_save, ...) are refused with a one-line error naming the key; bookkeeping keys are ignored; an
 * unknown key is refused unless its value is null, false or empty.
 */
public final class PeftFiles {
  public static final String CONFIG = "adapter_config.json";
  public static final String WEIGHTS = "adapter_model.safetensors";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Read and used. */
  private static final Set<String> USED = Set.of("peft_type", "task_type", "r", "lora_alpha", "use_rslora",
      "target_modules", "fan_in_fan_out", "lora_dropout", "base_model_name_or_path");
  /** Bookkeeping or initialisation only: no effect on a loaded adapter's numbers. */
  private static final Set<String> IGNORED = Set.of("inference_mode", "revision", "auto_mapping", "init_lora_weights",
      "loftq_config", "eva_config", "corda_config", "megatron_core", "qalora_group_size", "runtime_config",
      "peft_version");
  /** Supported only at their default (null, false, empty, or bias "none"). */
  private static final Set<String> DEFAULT_ONLY = Set.of("use_dora", "bias", "modules_to_save",
      "layers_to_transform", "layers_pattern", "rank_pattern", "alpha_pattern", "megatron_config",
      "layer_replication", "lora_bias", "target_parameters", "trainable_token_indices", "use_qalora",
      "exclude_modules");

  private PeftFiles() {}

  /** adapter_config.json of a folder. */
  public static LoraConfig readConfig(Path dir) {
    Path file = dir.resolve(CONFIG);
    if (!Files.isRegularFile(file) || !Files.isRegularFile(dir.resolve(WEIGHTS))) {
      throw new FspoUserException(dir + ": a PEFT adapter folder needs " + CONFIG + " and " + WEIGHTS
          + " (PeftModel.save_pretrained writes both)", FspoUserException.NO_INPUT);
    }
    JsonNode n;
    try {
      n = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw error(file, "not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    if (n == null || !n.isObject()) throw error(file, "must hold one JSON object");
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      if (USED.contains(k) || IGNORED.contains(k) || isDefault(k, e.getValue())) continue;
      throw error(file, k + " = " + e.getValue() + (DEFAULT_ONLY.contains(k)
          ? " is not supported; only plain LoRA (no DoRA, bias \"none\", no per-module rank or alpha, "
              + "no modules_to_save, every layer) is"
          : " is an unknown key; remove it if it does not change what the adapter computes"));
    }
    String peftType = n.path("peft_type").asText("");
    if (!peftType.equals("LORA")) throw error(file, "peft_type = \"" + peftType + "\" is not supported; only LORA is");
    JsonNode task = n.path("task_type");
    if (!task.isMissingNode() && !task.isNull() && !task.asText().equals("CAUSAL_LM")) {
      throw error(file, "task_type = " + task + " is not supported; a causal LM adapter has CAUSAL_LM");
    }
    JsonNode targets = n.path("target_modules");
    List<String> list = null;
    String pattern = null;
    if (targets.isArray() && targets.size() > 0) {
      list = new ArrayList<>();
      for (JsonNode t : targets) list.add(t.asText());
    } else if (targets.isTextual()) {
      pattern = targets.asText();
    } else {
      throw error(file, "target_modules must be a non-empty list of module names or a regular expression, got "
          + targets);
    }
    requireType(file, n, "r", JsonNode::isIntegralNumber, "an integer");
    requireType(file, n, "lora_alpha", JsonNode::isNumber, "a number");
    requireType(file, n, "lora_dropout", JsonNode::isNumber, "a number");
    for (String k : new String[] {"use_rslora", "fan_in_fan_out"}) {
      requireType(file, n, k, JsonNode::isBoolean, "true or false");
    }
    try { // PEFT's defaults for absent keys: r 8, lora_alpha 8, lora_dropout 0, booleans false
      return new LoraConfig(n.path("r").asInt(8), n.path("lora_alpha").asDouble(8),
          n.path("use_rslora").asBoolean(false), list, pattern, n.path("fan_in_fan_out").asBoolean(false),
          n.path("lora_dropout").asDouble(0),
          n.path("base_model_name_or_path").isTextual() ? n.path("base_model_name_or_path").asText() : null);
    } catch (FspoUserException e) {
      throw error(file, e.getMessage().replaceFirst("^lora config: ", ""));
    }
  }

  /** adapter_model.safetensors of a folder, widened to float32, by PEFT name. */
  public static LinkedHashMap<String, INDArray> readWeights(Path dir) {
    return SafeTensors.readArrays(dir.resolve(WEIGHTS));
  }

  /** Writes adapter_config.json and adapter_model.safetensors (float32) into dir, each atomically. */
  public static void write(Path dir, LoraConfig c, Map<String, INDArray> tensors) {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("alpha_pattern");
    n.putNull("auto_mapping");
    n.put("base_model_name_or_path", c.baseModelNameOrPath());
    n.put("bias", "none");
    n.put("fan_in_fan_out", c.fanInFanOut());
    n.put("inference_mode", true);
    n.put("init_lora_weights", true);
    n.putNull("layers_pattern");
    n.putNull("layers_to_transform");
    if (c.loraAlpha() == Math.rint(c.loraAlpha())) n.put("lora_alpha", (long) c.loraAlpha());
    else n.put("lora_alpha", c.loraAlpha());
    n.put("lora_dropout", c.loraDropout());
    n.putNull("modules_to_save");
    n.put("peft_type", "LORA");
    n.put("r", c.r());
    n.putObject("rank_pattern");
    n.putNull("revision");
    n.set("target_modules", JSON.valueToTree(c.targetModulesJson()));
    n.put("task_type", "CAUSAL_LM");
    n.put("use_dora", false);
    n.put("use_rslora", c.useRslora());
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(CONFIG + ".tmp");
      JSON.writeValue(tmp.toFile(), n);
      Files.move(tmp, dir.resolve(CONFIG), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new FspoUserException(dir + ": cannot write " + CONFIG + " (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
    SafeTensors.write(dir.resolve(WEIGHTS), tensors);
  }

  private static boolean isDefault(String key, JsonNode v) {
    if (v.isNull() || (v.isBoolean() && !v.asBoolean()) || (v.isContainerNode() && v.isEmpty())) return true;
    return key.equals("bias") && v.asText().equals("none");
  }

  private static void requireType(Path file, JsonNode n, String key, java.util.function.Predicate<JsonNode> ok,
      String what) {
    if (n.has(key) && !ok.test(n.get(key))) throw error(file, key + " must be " + what + ", got " + n.get(key));
  }

  static FspoUserException error(Path file, String message) {
    return new FspoUserException(file + ": " + message, FspoUserException.CONFIG);
  }
}
