package org.fspo.train.loop;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;

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
 * @param seed       seeds the model init and every epoch's episode sampling (default 1234)
 */
public record TrainConfig(
    @JsonProperty("model") ModelShape model,
    @JsonProperty("data") DataConfig data,
    @JsonProperty("sft") StageConfig sft,
    @JsonProperty("fspo") StageConfig fspo,
    @JsonProperty("optim") OptimConfig optim,
    @JsonProperty("checkpoint") CheckpointConfig checkpoint,
    @JsonProperty("seed") long seed) {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);

  public static TrainConfig defaults() {
    return new TrainConfig(ModelShape.defaults(), DataConfig.defaults(), StageConfig.sftDefaults(),
        StageConfig.fspoDefaults(), OptimConfig.defaults(), CheckpointConfig.defaults(), 1234);
  }

  /** Reads the {@code train:} section of {@code file} (null: defaults only) and applies {@code key=value} sets. */
  public static TrainConfig load(Path file, List<String> sets) {
    ObjectNode tree = YAML.valueToTree(defaults());
    if (file != null) {
      JsonNode root;
      try {
        root = YAML.readTree(Files.readString(file));
      } catch (IOException e) {
        throw new FspoUserException(file + ": cannot read the config (" + e.getMessage().lines().findFirst()
            .orElse("") + ")", FspoUserException.CONFIG);
      }
      JsonNode section = root == null ? null : root.get("train");
      if (section == null || !section.isObject()) {
        throw new FspoUserException(file + ": no 'train:' section; see conf/train.yaml", FspoUserException.CONFIG);
      }
      merge(tree, section, "train");
    }
    for (String set : sets) {
      int eq = set.indexOf('=');
      if (eq < 1) throw new FspoUserException("--set " + set + ": use section.key=value", FspoUserException.USAGE);
      String[] path = set.substring(0, eq).replaceFirst("^train\\.", "").split("\\.");
      ObjectNode at = tree;
      for (int i = 0; i < path.length - 1; i++) {
        if (!(at.get(path[i]) instanceof ObjectNode next)) {
          throw new FspoUserException("--set " + set + ": unknown section '" + path[i] + "'", FspoUserException.CONFIG);
        }
        at = next;
      }
      String key = path[path.length - 1];
      if (!at.has(key)) throw new FspoUserException("--set " + set + ": unknown key '" + key + "'",
          FspoUserException.CONFIG);
      try {
        at.set(key, YAML.readTree(set.substring(eq + 1)));
      } catch (IOException e) {
        throw new FspoUserException("--set " + set + ": value is not YAML", FspoUserException.CONFIG);
      }
    }
    try {
      return YAML.treeToValue(tree, TrainConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new FspoUserException(where(file) + "unknown key 'train." + e.getPropertyName() + "'; conf/train.yaml "
          + "lists every key", FspoUserException.CONFIG);
    } catch (JsonMappingException e) {
      if (e.getCause() instanceof FspoUserException u) {
        throw new FspoUserException(where(file) + u.getMessage(), FspoUserException.CONFIG);
      }
      String key = e.getPath().stream().map(r -> r.getFieldName()).filter(n -> n != null)
          .reduce("train", (a, b) -> a + "." + b);
      throw new FspoUserException(where(file) + key + ": " + e.getOriginalMessage().lines().findFirst()
          .orElse("bad value"), FspoUserException.CONFIG);
    } catch (IOException e) {
      throw new FspoUserException(where(file) + e.getMessage(), FspoUserException.CONFIG);
    }
  }

  private static String where(Path file) {
    return file == null ? "train config: " : file + ": ";
  }

  /** Overlays {@code src} on {@code dst}, failing on keys the defaults do not have. */
  private static void merge(ObjectNode dst, JsonNode src, String path) {
    for (Iterator<Map.Entry<String, JsonNode>> it = src.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode old = dst.get(e.getKey());
      if (old == null) {
        throw new FspoUserException("unknown key '" + path + "." + e.getKey() + "'; conf/train.yaml lists every key",
            FspoUserException.CONFIG);
      }
      if (old instanceof ObjectNode o && e.getValue().isObject()) merge(o, e.getValue(), path + "." + e.getKey());
      else dst.set(e.getKey(), e.getValue());
    }
  }

  /** The effective config as a YAML document with a {@code train:} root, as written to RUN_DIR/config.yaml. */
  public String toYaml() {
    try {
      return YAML.writeValueAsString(Map.of("train", this));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void require(boolean ok, String key, String what, Object got) {
    if (!ok) {
      throw new FspoUserException("train." + key + " must be " + what + ", got " + got, FspoUserException.CONFIG);
    }
  }
}
