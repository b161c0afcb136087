package org.fspo.train.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.io.SafeTensors.DType;
import org.fspo.train.io.SafeTensors.Tensor;
import org.fspo.train.model.gpt2.Gpt2Config;
import org.fspo.train.model.gpt2.Gpt2Model;
import org.fspo.train.model.llama.LlamaConfig;
import org.fspo.train.model.llama.LlamaModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Builds models: {@link #load} a Hugging Face folder (config.json + model.safetensors, chosen by model_type), or
 * {@link #init} a fresh one for training from scratch. Tensors the model does not use (buffers such as GPT-2's
 * attn.bias) are ignored. {@code model.save(dir)} writes the same layout back.
 */
public final class Models {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Models() {}

  public static TransformerLm load(Path dir) {
    Path configFile = dir.resolve("config.json");
    Path weightsFile = dir.resolve("model.safetensors");
    if (!Files.isRegularFile(configFile) || !Files.isRegularFile(weightsFile)) {
      throw new FspoUserException(dir + ": a Hugging Face model folder needs config.json and model.safetensors "
          + "(save it with save_pretrained(..., safe_serialization=True))", FspoUserException.NO_INPUT);
    }
    JsonNode config;
    try {
      config = JSON.readTree(configFile.toFile());
    } catch (IOException e) {
      throw new FspoUserException(configFile + ": not valid JSON (" + e.getMessage() + ")", FspoUserException.CONFIG);
    }
    LinkedHashMap<String, Tensor> tensors = SafeTensors.read(weightsFile);
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

  private static void take(Path file, Map<String, Tensor> tensors, String name, String altName,
      Map<String, INDArray> params, Map<String, DType> dtypes) {
    Tensor t = tensors.containsKey(name) ? tensors.get(name) : tensors.get(altName);
    if (t == null) {
      throw new FspoUserException(file + ": tensor " + name + " is missing; is this the checkpoint config.json describes?");
    }
    params.put(name, t.array());
    dtypes.put(name, t.dtype());
  }

  /** A GPT-2 with HF's initialisation, deterministic for the seed. */
  public static Gpt2Model init(Gpt2Config config, long seed) {
    return Gpt2Model.init(config, seed);
  }

  /** A Llama with HF's initialisation, deterministic for the seed. */
  public static LlamaModel init(LlamaConfig config, long seed) {
    return LlamaModel.init(config, seed);
  }
}
