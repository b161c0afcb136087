package org.fspo.train.loop;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.core.config.ConfigLoader;

/**
 * The {@code train:} section of a YAML config (conf/train.yaml documents every key with its default). Precedence:
 * each section's {@code defaults()}, then the file, then {@code --set section.key=value}. Unknown keys and values of
 * the wrong type are errors naming the key.
 *
 * @param model      architecture and tokenizer for training from scratch, max_seq_len ({@link ModelShape})
 * @param data       shots and prompt variant ({@link DataConfig})
 * @param sft        stage 1 ({@link StageConfig})
 * @param fspo       stage 2 ({@link StageConfig})
 * @param optim      optimizer, schedule, batching ({@link OptimConfig})
 * @param checkpoint checkpoint cadence ({@link CheckpointConfig})
 * @param save       how final/ is written: dtype, shard size ({@link SaveConfig})
 * @param lora       LoRA adapters on a frozen base instead of full fine-tuning ({@link LoraSettings}; off by default)
 * @param distributed data-parallel workers, local SGD, replica checks ({@link DistributedConfig}; 1 worker by default)
 * @param seed       seeds the model init and every epoch's episode sampling (default 1234)
 * @param activationCheckpointing keep only each block's input in the forward pass and recompute the block in the
 *                   backward pass: less memory, same gradients, about a third more time (default false)
 */
public record TrainConfig(
    @JsonProperty("model") ModelShape model,
    @JsonProperty("data") DataConfig data,
    @JsonProperty("sft") StageConfig sft,
    @JsonProperty("fspo") StageConfig fspo,
    @JsonProperty("optim") OptimConfig optim,
    @JsonProperty("checkpoint") CheckpointConfig checkpoint,
    @JsonProperty("save") SaveConfig save,
    @JsonProperty("lora") LoraSettings lora,
    @JsonProperty("distributed") DistributedConfig distributed,
    @JsonProperty("seed") long seed,
    @JsonProperty("activation_checkpointing") boolean activationCheckpointing) {

  /** The sections a project config file may hold; train reads only its own. */
  public static final List<String> SECTIONS = List.of("synth", "train", "eval", "judge", "pipeline");

  public static TrainConfig defaults() {
    return new TrainConfig(ModelShape.defaults(), DataConfig.defaults(), StageConfig.sftDefaults(),
        StageConfig.fspoDefaults(), OptimConfig.defaults(), CheckpointConfig.defaults(),
        SaveConfig.defaults(), LoraSettings.defaults(), DistributedConfig.defaults(), 1234, false);
  }

  /**
   * Reads the {@code train:} section of {@code file} (null: defaults only) through fspo-core's {@link ConfigLoader}
   * and applies {@code key=value} sets ({@code section.key}, with or without the leading {@code train.}).
   */
  public static TrainConfig load(Path file, List<String> sets) {
    List<String> qualified = sets.stream().map(s -> s.startsWith("train.") ? s : "train." + s).toList();
    return ConfigLoader.load(file, qualified, SECTIONS).section("train", TrainConfig.class);
  }

  /** The effective config as a YAML document with a {@code train:} root, as written to RUN_DIR/config.yaml. */
  public String toYaml() {
    try {
      return ConfigLoader.yaml().writeValueAsString(Map.of("train", this));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static void require(boolean ok, String key, String what, Object got) {
    if (!ok) {
      throw new FspoUserException("train." + key + " must be " + what + ", got " + got, FspoUserException.CONFIG);
    }
  }
}
