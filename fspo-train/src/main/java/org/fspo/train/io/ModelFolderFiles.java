package org.fspo.train.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;

/**
 * What a Hugging Face model folder holds besides its weights, kept as read so that a save writes a folder that
 * transformers and vLLM load as they loaded the input: config.json's JSON tree with every key (not re-generated from
 * a record, which would drop the keys this project does not model), and the generation and tokenizer files, byte
 * for byte ({@link #COPIED}).
 *
 * @param config the input's config.json
 * @param files  file name to content, for the names of {@link #COPIED} the input had
 */
public record ModelFolderFiles(ObjectNode config, Map<String, byte[]> files) {
  /** The files save_pretrained writes for a causal LM and its tokenizer, besides config.json and the weights. */
  public static final List<String> COPIED = List.of("generation_config.json", "tokenizer.json",
      "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", "chat_template.json",
      "added_tokens.json", "tokenizer.model", "vocab.json", "merges.txt");

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public ModelFolderFiles {
    files = Map.copyOf(files);
  }

  /** The files of {@link #COPIED} present in {@code dir}, with the given config tree. */
  public static ModelFolderFiles read(Path dir, ObjectNode config) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String name : COPIED) {
      Path f = dir.resolve(name);
      if (!Files.isRegularFile(f)) continue;
      try {
        files.put(name, Files.readAllBytes(f));
      } catch (IOException e) {
        throw new FspoUserException(f + ": cannot read (" + e.getMessage() + ")", FspoUserException.NO_INPUT);
      }
    }
    return new ModelFolderFiles(config, files);
  }

  /**
   * The config to save: the input's tree, with {@code torch_dtype} (transformers 4) and {@code dtype}
   * (transformers 5) set to float32 when the weights are written as F32 and the input said otherwise. Training
   * changes no other key.
   */
  public ObjectNode configFor(SaveFormat format) {
    ObjectNode out = config.deepCopy();
    if (format.f32()) {
      for (String key : List.of("torch_dtype", "dtype")) {
        if (out.hasNonNull(key) && out.get(key).isTextual()) out.put(key, "float32");
      }
    }
    return out;
  }

  /** Writes config.json ({@link #configFor}) and the copied files into {@code dir}, each atomically. */
  public void write(Path dir, SaveFormat format) {
    writeConfig(dir, configFor(format));
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      atomic(dir.resolve(f.getKey()), f.getValue());
    }
  }

  /** Writes a config.json tree (indented, as save_pretrained does) atomically. */
  public static void writeConfig(Path dir, ObjectNode config) {
    try {
      atomic(dir.resolve("config.json"), (JSON.writeValueAsString(config) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void atomic(Path file, byte[] bytes) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new FspoUserException(file + ": cannot write (" + e.getMessage() + ")", FspoUserException.CANT_CREATE);
    }
  }
}
