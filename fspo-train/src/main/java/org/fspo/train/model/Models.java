package org.fspo.train.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.ModelFolderFiles;
import org.fspo.train.io.ModelWeights;
import org.fspo.train.io.SaveFormat;
import org.fspo.train.io.SafeTensors.DType;
import org.fspo.train.io.SafeTensors.Tensor;
import org.fspo.train.model.gpt2.Gpt2Config;
import org.fspo.train.model.gpt2.Gpt2Model;
import org.fspo.train.model.llama.LlamaConfig;
import org.fspo.train.model.llama.LlamaModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Builds models: {@link #load} a Hugging Face folder (config.json + model.safetensors, or its shards with
 * model.safetensors.index.json; the family chosen by model_type), {@link #save} one back, or {@link #init} a fresh
 * one for training from scratch.
 *
 * <p>Loading checks the weights against config.json before the model computes anything: every header field of every
 * file ({@link org.fspo.train.io.SafeTensorsHeader}), then every tensor the family needs (present, a floating dtype:
 * F32, BF16 or F16, and the shape the config implies), and no tensor left over. Each mismatch is one line naming the
 * tensor and its file. Left over but ignored, because they are buffers transformers recomputes, not weights:
 * GPT-2's {@code attn.bias} / {@code attn.masked_bias} (the causal mask), any {@code rotary_emb.inv_freq} (RoPE
 * frequencies), and an {@code lm_head.weight} of a model with tied embeddings (transformers ties it to the embedding).
 */
public final class Models {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Buffers some checkpoints carry that are not parameters (see the class comment). */
  private static final Pattern BUFFER = Pattern.compile("(.*\\.)?(attn\\.bias|attn\\.masked_bias|rotary_emb\\.inv_freq)");
  private static final Pattern TENSOR_IN_MESSAGE = Pattern.compile("tensor (\\S+)");

  private Models() {}

  public static TransformerLm load(Path dir) {
    Path configFile = dir.resolve("config.json");
    if (!Files.isRegularFile(configFile) || !ModelWeights.present(dir)) {
      throw new FspoUserException(dir + ": a Hugging Face model folder needs config.json and model.safetensors (or "
          + ModelWeights.INDEX + " and its shards); save it with save_pretrained(..., safe_serialization=True)",
          FspoUserException.NO_INPUT);
    }
    JsonNode config;
    try {
      config = JSON.readTree(configFile.toFile());
    } catch (IOException e) {
      throw new FspoUserException(configFile + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
          + ")", FspoUserException.CONFIG);
    }
    if (!(config instanceof ObjectNode tree)) {
      throw new FspoUserException(configFile + ": not a JSON object", FspoUserException.CONFIG);
    }
    ModelWeights weights = ModelWeights.open(dir); // every header validated; no tensor read yet
    TransformerLm model;
    try {
      model = build(configFile, config, weights);
    } catch (FspoUserException e) {
      throw withFile(e, dir, weights);
    }
    refuseLeftovers(weights, model);
    model.source(ModelFolderFiles.read(dir, tree));
    return model;
  }

  /** A family constructor's shape error names the tensor but not the file; add the file it came from. */
  private static FspoUserException withFile(FspoUserException e, Path dir, ModelWeights weights) {
    String msg = e.getMessage();
    Matcher m = TENSOR_IN_MESSAGE.matcher(msg);
    Path file = null;
    if (m.find()) {
      file = weights.fileOf(m.group(1));
      if (file == null) file = weights.fileOf(m.group(1).replaceFirst("^transformer\\.", ""));
    }
    return file == null || msg.startsWith(dir.toString()) ? e : new FspoUserException(file + ": " + msg, e.exitCode());
  }

  /** Every tensor of the files is a parameter of the model, or a known buffer (class comment); else an error. */
  private static void refuseLeftovers(ModelWeights weights, TransformerLm model) {
    Set<String> params = model.parameters().keySet();
    for (String name : weights.names()) {
      if (params.contains(name) || params.contains("transformer." + name) || BUFFER.matcher(name).matches()) continue;
      if (name.equals("lm_head.weight") && !params.contains(name)) continue; // tied: transformers ignores it too
      throw new FspoUserException(weights.fileOf(name) + ": tensor " + name + " is not a parameter of the "
          + model.family() + " model config.json describes; is this the checkpoint config.json belongs to?");
    }
  }

  private static TransformerLm build(Path configFile, JsonNode config, ModelWeights tensors) {
    Path weightsFile = tensors.source();
    String type = config.path("model_type").asText("");
    try {
      return switch (type) {
        case "gpt2" -> {
          Gpt2Config c = JSON.treeToValue(config, Gpt2Config.class);
          LinkedHashMap<String, INDArray> p = new LinkedHashMap<>();
          Map<String, DType> dt = new LinkedHashMap<>();
          for (String name : Gpt2Model.shapes(c).keySet()) {
            take(weightsFile, tensors, name, name.replaceFirst("^transformer\\.", ""), p, dt);
          }
          yield new Gpt2Model(c, p, dt);
        }
        case "llama", "mistral", "qwen2" -> { // one Llama family: LlamaConfig reads the type's differences
          LlamaConfig c = LlamaConfig.fromJson(config);
          LinkedHashMap<String, INDArray> p = new LinkedHashMap<>();
          Map<String, DType> dt = new LinkedHashMap<>();
          for (String name : LlamaModel.shapes(c).keySet()) take(weightsFile, tensors, name, name, p, dt);
          yield new LlamaModel(c, p, dt);
        }
        default -> throw new FspoUserException(configFile + ": model_type '" + type
            + "' is not supported; use a gpt2, llama, mistral or qwen2 checkpoint", FspoUserException.CONFIG);
      };
    } catch (IOException e) {
      throw new FspoUserException(configFile + ": " + e.getMessage().lines().findFirst().orElse(""),
          FspoUserException.CONFIG);
    }
  }

  /** Reads the tensor {@code name} (or its {@code altName}, e.g. GPT-2's without "transformer."), checking it. */
  private static void take(Path file, ModelWeights tensors, String name, String altName,
      Map<String, INDArray> params, Map<String, DType> dtypes) {
    String found = tensors.entry(name) != null ? name : tensors.entry(altName) != null ? altName : null;
    if (found == null) {
      throw new FspoUserException(file + ": tensor " + name + " is missing; is this the checkpoint config.json "
          + "describes?");
    }
    DType dtype = tensors.dtype(found);
    if (!dtype.floating()) {
      throw new FspoUserException(tensors.fileOf(found) + ": tensor " + found + " is " + dtype
          + "; a weight must be F32, BF16 or F16");
    }
    Tensor t = tensors.read(found);
    params.put(name, t.array());
    dtypes.put(name, t.dtype());
  }

  /**
   * Writes {@code model} as a Hugging Face folder: config.json, the weights (sharded above the format's size) and,
   * for a model loaded from a folder, that folder's config.json tree (every key kept) and its generation and tokenizer
   * files ({@link ModelFolderFiles#COPIED}). A model built here gets a config.json generated from its config record.
   */
  public static void save(CausalLm model, Path dir, SaveFormat format) {
    if (!(model instanceof TransformerLm lm)) {
      model.save(dir);
      return;
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new FspoUserException(dir + ": cannot create (" + e.getMessage() + ")", FspoUserException.CANT_CREATE);
    }
    if (lm.source() != null) {
      lm.source().write(dir, format);
    } else {
      ModelFolderFiles.writeConfig(dir, lm.configJson());
    }
    ModelWeights.write(dir, lm.parameters(), format.f32() ? Map.of() : lm.dtypes(), format.maxShardBytes());
  }

  /** A GPT-2 with HF's initialisation, deterministic for the seed. */
  public static Gpt2Model init(Gpt2Config config, long seed) {
    return Gpt2Model.init(config, seed);
  }

  /** A Llama with HF's initialisation, deterministic for the seed. */
  public static LlamaModel init(LlamaConfig config, long seed) {
    return LlamaModel.init(config, seed);
  }

  /** Every tensor of {@code shapes} is in params with that shape, or one line naming the tensor and the fix. */
  public static void checkShapes(String family, Map<String, long[]> shapes, Map<String, INDArray> params) {
    shapes.forEach((name, shape) -> {
      INDArray p = params.get(name);
      if (p == null || !java.util.Arrays.equals(p.shape(), shape)) {
        throw new org.fspo.core.FspoUserException(family + " weights: tensor " + name + " should have shape "
            + java.util.Arrays.toString(shape) + " but is " + (p == null ? "missing" : java.util.Arrays.toString(p.shape()))
            + "; does config.json match model.safetensors?");
      }
    });
  }
}
