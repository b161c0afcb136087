package org.fspo.train.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fspo.core.FspoUserException;
import org.fspo.train.model.Models;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.lora.LoraAdapters;
import org.fspo.train.model.lora.PeftFiles;

/**
 * What {@code fspo train --init} starts from: a Hugging Face model folder, optionally with a PEFT LoRA adapter merged
 * into it (issue 10). The adapter comes from {@code --init-adapter DIR}, or {@code --init} itself is an adapter
 * folder (adapter_config.json, no model.safetensors) whose base_model_name_or_path is a local model folder.
 *
 * <pre>
 *   --init BASE                          BASE
 *   --init BASE --init-adapter ADAPTER   BASE with ADAPTER merged (W + s B A)
 *   --init ADAPTER                       ADAPTER's base_model_name_or_path, with ADAPTER merged
 * </pre>
 *
 * The tokenizer is the adapter folder's tokenizer.json when it has one (PEFT saves it there with added tokens),
 * otherwise the base's.
 *
 * @param base    the base model folder (config.json, model.safetensors)
 * @param adapter the PEFT adapter folder, or null
 */
public record InitModel(Path base, Path adapter) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** --init and --init-adapter (may be null) resolved to a base and an adapter. */
  public static InitModel resolve(Path init, Path initAdapter) {
    if (initAdapter != null) {
      if (LoraStages.isAdapter(init)) {
        throw new FspoUserException(init + " is an adapter folder; --init takes the base model when --init-adapter "
            + "is given", FspoUserException.USAGE);
      }
      return new InitModel(init, initAdapter);
    }
    if (!LoraStages.isAdapter(init) || Files.isRegularFile(init.resolve("model.safetensors"))) {
      return new InitModel(init, null);
    }
    Path file = init.resolve(PeftFiles.CONFIG);
    String named;
    try {
      JsonNode n = JSON.readTree(file.toFile());
      named = n.path("base_model_name_or_path").asText("");
    } catch (IOException e) {
      throw new FspoUserException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
          + ")", FspoUserException.CONFIG);
    }
    Path base = named.isEmpty() ? null : Path.of(named);
    if (base != null && !base.isAbsolute() && !Files.isDirectory(base)) base = init.resolve(named).normalize();
    if (base == null || !Files.isRegularFile(base.resolve("config.json"))) {
      throw new FspoUserException(file + ": base_model_name_or_path '" + named + "' is not a local model folder; "
          + "download the base and pass --init BASE_DIR --init-adapter " + init, FspoUserException.NO_INPUT);
    }
    return new InitModel(base, init);
  }

  /** The model training starts from: the base, with the adapter (if any) read, checked and merged in. */
  public TransformerLm load() {
    TransformerLm model = Models.load(base);
    return adapter == null ? model : LoraAdapters.merge(LoraAdapters.apply(model, adapter));
  }

  /** Where tokenizer.json is read from. */
  public Path tokenizerDir() {
    return adapter != null && Files.isRegularFile(adapter.resolve("tokenizer.json")) ? adapter : base;
  }
}
