package org.fspo.train.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A word-level Hugging Face tokenizer built from a corpus, for models trained from scratch.
 *
 * <p>Why word-level: the procedural corpus has a small, closed vocabulary (a few hundred words), so one token per word
 * keeps an 8-shot prompt at a few hundred tokens. A byte-level model would need about 5x longer sequences for the same
 * prompt, and attention and activations grow with length. A corpus with an open vocabulary should bring a real
 * pre-trained tokenizer through {@code --init} instead.
 *
 * <p>The tokenizer.json has a WordLevel model, a {@code Split} pre-tokenizer that keeps each match of
 * {@code \n|\w+|[^\w\s]} (a newline, a word, or one punctuation character; other whitespace is dropped), no
 * normalizer, and the special tokens {@code <|pad|>} (id 0), {@code <|eos|>} (1) and {@code <|unk|>} (2). The other ids
 * follow by descending corpus frequency, ties by token text, so the same corpus always gives the same file. Newlines
 * are tokens, so the few-shot prompt's block structure and {@code #} headers survive. Python loads the file with
 * {@code PreTrainedTokenizerFast(tokenizer_file=...)}.
 *
 * <p>Decoding is not byte-exact: spaces are not tokens, so {@link #decode} rebuilds them (a space between tokens, none
 * around newlines, none before closing punctuation or after opening brackets, none inside {@code ##}), and a word
 * missing from the vocabulary decodes as {@code <|unk|>}. Python's {@code decode} joins every token with a space.
 */
public final class WordLevelTokenizer extends HfTokenizer {
  public static final String PAD = "<|pad|>", EOS = "<|eos|>", UNK = "<|unk|>";
  /** The pre-tokenizer's pattern, in the Rust tokenizers (Oniguruma) and Java regex dialects. */
  static final String SPLIT_REGEX = "\\n|\\w+|[^\\w\\s]";
  private static final Pattern SPLIT = Pattern.compile(SPLIT_REGEX, Pattern.UNICODE_CHARACTER_CLASS);
  /** The headers and task lines of every FewShotPrompt variant, so they are in every vocabulary. */
  static final String TEMPLATE_TEXT = "# Example ## Question ## Preferred Response ## Dispreferred Response ## Response"
      + " # Task Given the examples above, generate a preferred response to the following question."
      + " Given the examples above, generate a response to the following question."
      + " Generate a response to the following question. ## User Description"
      + " Generate a user description based on the examples above. Then, generate a preferred response to the"
      + " following question. \n";
  private static final String CLOSING = ".,;:!?)]}%'";
  private static final String OPENING = "([{$'";

  WordLevelTokenizer(byte[] json, String source) {
    super(json, source);
  }

  /** Builds from the texts, keeping at most {@code maxVocab} ids and words seen at least {@code minCount} times. */
  public static WordLevelTokenizer build(Iterable<String> texts, int maxVocab, int minCount) {
    Map<String, Integer> counts = new HashMap<>();
    count(TEMPLATE_TEXT + " " + numbers(), counts, 1 << 20);
    for (String text : texts) count(text, counts, 1);
    List<Map.Entry<String, Integer>> words = new ArrayList<>(counts.entrySet());
    words.removeIf(e -> e.getValue() < minCount || e.getKey().equals(PAD) || e.getKey().equals(EOS)
        || e.getKey().equals(UNK));
    words.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    if (maxVocab < 4) throw new IllegalArgumentException("max vocabulary must be at least 4, got " + maxVocab);
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode().put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    ObjectNode vocab = json.createObjectNode();
    String[] specials = {PAD, EOS, UNK};
    for (int id = 0; id < specials.length; id++) {
      added.addObject().put("id", id).put("content", specials[id]).put("single_word", false).put("lstrip", false)
          .put("rstrip", false).put("normalized", false).put("special", true);
      vocab.put(specials[id], id);
    }
    for (int i = 0; i < words.size() && vocab.size() < maxVocab; i++) vocab.put(words.get(i).getKey(), vocab.size());
    root.putNull("normalizer");
    ObjectNode split = root.putObject("pre_tokenizer").put("type", "Split");
    split.putObject("pattern").put("Regex", SPLIT_REGEX);
    split.put("behavior", "Removed").put("invert", true);
    root.putNull("post_processor");
    root.putNull("decoder");
    ObjectNode model = root.putObject("model").put("type", "WordLevel");
    model.set("vocab", vocab);
    model.put("unk_token", UNK);
    try {
      return new WordLevelTokenizer(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root), "word-level tokenizer");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Example numbers 1..64, so shot headers never fall out of the vocabulary. */
  private static String numbers() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i <= 64; i++) s.append(i).append(' ');
    return s.toString();
  }

  private static void count(String text, Map<String, Integer> counts, int weight) {
    Matcher m = SPLIT.matcher(text);
    while (m.find()) counts.merge(m.group(), weight, Integer::sum);
  }

  /** Rebuilds spaces between tokens; see the class comment. Padding and end-of-sequence ids are dropped. */
  @Override
  public String decode(int[] ids) {
    StringBuilder out = new StringBuilder();
    String prev = null;
    for (int id : ids) {
      if (id == padId() || id == eosId()) continue;
      String token = idToToken.getOrDefault(id, UNK);
      boolean glue = prev == null || prev.equals("\n") || token.equals("\n")
          || (token.length() == 1 && CLOSING.contains(token))
          || (prev.length() == 1 && OPENING.contains(prev))
          || (prev.equals("#") && token.equals("#"));
      if (!glue) out.append(' ');
      out.append(token);
      prev = token;
    }
    return out.toString();
  }
}
