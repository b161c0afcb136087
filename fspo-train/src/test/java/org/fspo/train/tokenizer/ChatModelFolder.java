package org.fspo.train.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny chat checkpoint's tokenizer files, written by tests: a word-level tokenizer.json whose added tokens are
 * Llama 3's special tokens and whose post-processor prepends {@code <|begin_of_text|>} as Llama 3's does (so
 * encoding WITH special tokens would give a second BOS), and a tokenizer_config.json holding the published Llama
 * 3.2 Instruct chat_template with its bos_token and eos_token.
 */
public final class ChatModelFolder {
  public static final String BOS = "<|begin_of_text|>", EOT = "<|eot_id|>";
  /** Added tokens, ids 0..6; {@code <|endoftext|>} is what HfTokenizer takes as EOS. */
  public static final List<String> SPECIALS = List.of("<|pad|>", "<|endoftext|>", "<|unk|>", BOS,
      "<|start_header_id|>", "<|end_header_id|>", EOT);
  public static final int BOS_ID = 3, EOT_ID = 6, EOS_ID = 1;
  private static final Pattern WORDS = Pattern.compile(WordLevelTokenizer.SPLIT_REGEX,
      Pattern.UNICODE_CHARACTER_CLASS);

  private ChatModelFolder() {}

  /** Writes tokenizer.json (vocabulary: the template's words plus {@code corpus}) and tokenizer_config.json. */
  public static Path write(Path dir, Iterable<String> corpus) throws IOException {
    Files.createDirectories(dir);
    String template = Files.readString(ChatTemplateTest.DIR.resolve("meta-llama-Llama-3.2-3B-Instruct.jinja"));
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String s : SPECIALS) vocab.put(s, vocab.size());
    String fixed = "system user assistant Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024 "
        + WordLevelTokenizer.TEMPLATE_TEXT + " 1 2 3 4 5 6 7 8";
    addWords(vocab, fixed);
    for (String text : corpus) addWords(vocab, text);
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode().put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int id = 0; id < SPECIALS.size(); id++) {
      added.addObject().put("id", id).put("content", SPECIALS.get(id)).put("single_word", false)
          .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putNull("normalizer");
    ObjectNode split = root.putObject("pre_tokenizer").put("type", "Split");
    split.putObject("pattern").put("Regex", WordLevelTokenizer.SPLIT_REGEX);
    split.put("behavior", "Removed").put("invert", true);
    ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
    post.putArray("single").addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
    ((ArrayNode) post.get("single")).addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    ArrayNode pair = post.putArray("pair");
    pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
    ObjectNode bos = post.putObject("special_tokens").putObject(BOS).put("id", BOS);
    bos.putArray("ids").add(BOS_ID);
    bos.putArray("tokens").add(BOS);
    root.putNull("decoder");
    ObjectNode model = root.putObject("model").put("type", "WordLevel");
    ObjectNode v = model.putObject("vocab");
    vocab.forEach(v::put);
    model.put("unk_token", "<|unk|>");
    json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer.json").toFile(), root);
    ObjectNode config = json.createObjectNode();
    config.put("bos_token", BOS).put("eos_token", EOT).put("chat_template", template);
    json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(ChatTemplate.CONFIG_FILE).toFile(), config);
    return dir;
  }

  private static void addWords(Map<String, Integer> vocab, String text) {
    Matcher m = WORDS.matcher(text);
    while (m.find()) vocab.putIfAbsent(m.group(), vocab.size());
  }
}
