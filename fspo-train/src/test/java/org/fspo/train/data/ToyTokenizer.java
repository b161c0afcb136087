package org.fspo.train.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fspo.train.tokenizer.TextTokenizer;

/** One token per whitespace-separated word or newline; ids by first appearance; pad 0, eos 1. For exact tests. */
final class ToyTokenizer implements TextTokenizer {
  private static final Pattern TOKEN = Pattern.compile("\n|[^\\s]+");
  private final Map<String, Integer> ids = new HashMap<>();
  private final List<String> tokens = new ArrayList<>(List.of("<pad>", "</s>"));

  @Override
  public int[] encode(String text) {
    List<Integer> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    while (m.find()) {
      out.add(ids.computeIfAbsent(m.group(), t -> {
        tokens.add(t);
        return tokens.size() - 1;
      }));
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public String decode(int[] idArray) {
    List<String> out = new ArrayList<>();
    for (int id : idArray) out.add(tokens.get(id).equals("\n") ? "\\n" : tokens.get(id));
    return String.join(" ", out);
  }

  @Override
  public int vocabSize() {
    return tokens.size();
  }

  @Override
  public int eosId() {
    return 1;
  }

  @Override
  public int padId() {
    return 0;
  }

  @Override
  public void save(Path file) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
