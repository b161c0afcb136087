package org.fspo.train.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;

/**
 * A Hugging Face {@code tokenizer.json} run by DJL's binding of the Rust tokenizers library, offline, with special
 * tokens off ({@code optAddSpecialTokens(false)}), no truncation and no padding: the ids equal
 * {@code AutoTokenizer.from_pretrained(dir)(text, add_special_tokens=False).input_ids}.
 *
 * <p>The end-of-sequence token is the first added token named {@code <|eos|>}, {@code <|endoftext|>} (GPT-2, Qwen2,
 * SmolLM2), {@code </s>} (Llama 2, Mistral), {@code <eos>} or {@code <|end_of_text|>} (Llama 3); the pad token is
 * {@code <|pad|>} or {@code <pad>}, else the end-of-sequence token. The vocabulary size is one more than the largest
 * id of the model's vocab and the added tokens.
 */
public class HfTokenizer implements TextTokenizer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> EOS_NAMES = List.of("<|eos|>", "<|endoftext|>", "</s>", "<eos>",
      "<|end_of_text|>");
  private static final List<String> PAD_NAMES = List.of("<|pad|>", "<pad>");

  private final byte[] json;
  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;
  private final int eosId;
  private final int padId;
  protected final Map<Integer, String> idToToken;

  protected HfTokenizer(byte[] json, String source) {
    this.json = json;
    JsonNode root;
    try {
      root = JSON.readTree(json);
      tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
          Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    } catch (IOException | RuntimeException e) {
      throw new FspoUserException(source + ": not a Hugging Face tokenizer.json (" + e.getMessage() + ")",
          FspoUserException.CONFIG);
    }
    idToToken = vocabulary(root);
    Map<String, Integer> added = new HashMap<>();
    for (JsonNode t : root.path("added_tokens")) added.put(t.path("content").asText(), t.path("id").asInt());
    vocabSize = idToToken.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    Integer eos = EOS_NAMES.stream().map(added::get).filter(x -> x != null).findFirst().orElse(null);
    if (eos == null) {
      throw new FspoUserException(source + ": no end-of-sequence token among the added tokens; add one named "
          + EOS_NAMES.get(0) + " (or " + String.join(", ", EOS_NAMES.subList(1, EOS_NAMES.size())) + ")",
          FspoUserException.CONFIG);
    }
    eosId = eos;
    padId = PAD_NAMES.stream().map(added::get).filter(x -> x != null).findFirst().orElse(eosId);
  }

  /**
   * Loads a tokenizer.json file (or the tokenizer.json inside a folder). A WordLevel file comes back as a
   * {@link WordLevelTokenizer}, whose decode rebuilds spaces.
   */
  public static HfTokenizer load(Path path) {
    Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (isWordLevel(bytes)) return new WordLevelTokenizer(bytes, file.toString());
      return new HfTokenizer(bytes, file.toString());
    } catch (IOException e) {
      throw new FspoUserException(file + ": cannot read the tokenizer (" + e.getMessage()
          + "); pass a tokenizer.json or a model folder that has one", FspoUserException.NO_INPUT);
    }
  }

  private static boolean isWordLevel(byte[] bytes) {
    try {
      return "WordLevel".equals(JSON.readTree(bytes).path("model").path("type").asText());
    } catch (IOException e) {
      return false; // the constructor reports the parse error with the file name
    }
  }

  /** id -> token over the model's vocab (WordLevel/BPE: a map; Unigram: a list) and the added tokens. */
  private static Map<Integer, String> vocabulary(JsonNode root) {
    Map<Integer, String> out = new HashMap<>();
    JsonNode vocab = root.path("model").path("vocab");
    if (vocab.isObject()) {
      vocab.fields().forEachRemaining(e -> out.put(e.getValue().asInt(), e.getKey()));
    } else if (vocab.isArray()) {
      for (int i = 0; i < vocab.size(); i++) out.put(i, vocab.get(i).get(0).asText());
    }
    for (JsonNode t : root.path("added_tokens")) out.put(t.path("id").asInt(), t.path("content").asText());
    return out;
  }

  @Override
  public int[] encode(String text) {
    long[] ids = tokenizer.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
    return out;
  }

  @Override
  public String decode(int[] ids) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) longs[i] = ids[i];
    return tokenizer.decode(longs, false);
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int eosId() {
    return eosId;
  }

  @Override
  public int padId() {
    return padId;
  }

  /** The tokenizer.json bytes this tokenizer was built from. */
  public byte[] json() {
    return json.clone();
  }

  @Override
  public void save(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, json);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new FspoUserException(file + ": cannot write the tokenizer (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
