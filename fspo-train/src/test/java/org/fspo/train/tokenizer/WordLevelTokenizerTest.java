package org.fspo.train.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.FewShotPrompt;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.core.prompt.RenderedPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordLevelTokenizerTest {
  static final List<String> CORPUS = List.of("The cat sat.", "The dog sat, then ran!", "A cat (grey) ran.");

  static PreferencePair pair(String id, String q, String c, String r) {
    return new PreferencePair("u1", id, q, c, r, null, "procedural", "train", null);
  }

  @Test
  void vocabularyIsSpecialsThenByFrequencyThenText() {
    try (WordLevelTokenizer tok = WordLevelTokenizer.build(CORPUS, 1000, 1)) {
      assertEquals(0, tok.padId());
      assertEquals(1, tok.eosId());
      // "The", "cat", "sat", "ran" each appear twice; "." twice; template words rank first (heavily weighted)
      int[] ids = tok.encode("The cat sat.");
      assertEquals(4, ids.length);
      assertEquals("The cat sat.", tok.decode(ids));
      assertEquals(2, tok.encode("zebra")[0], "unknown words map to <|unk|>");
    }
  }

  @Test
  void sameCorpusSameFile() {
    try (WordLevelTokenizer a = WordLevelTokenizer.build(CORPUS, 1000, 1);
        WordLevelTokenizer b = WordLevelTokenizer.build(List.of(CORPUS.get(2), CORPUS.get(0), CORPUS.get(1)), 1000, 1)) {
      assertArrayEquals(a.json(), b.json(), "order of texts does not matter");
    }
  }

  @Test
  void fewShotPromptKeepsNewlinesAndHeaders(@TempDir Path tmp) {
    PreferencePair shot = pair("p1", "Which pet?", "The cat.", "The dog!");
    PreferencePair query = pair("p2", "Which one ran?", "The dog ran.", "A cat sat.");
    RenderedPair r = FewShotPrompt.render(new Episode("u1", List.of(shot), query), PromptFormat.DEFAULT);
    try (WordLevelTokenizer built = WordLevelTokenizer.build(List.of("Which pet? Which one ran?", "The cat. The dog!"), 1000, 1)) {
      built.save(tmp.resolve("tokenizer.json"));
    }
    try (HfTokenizer tok = HfTokenizer.load(tmp.resolve("tokenizer.json"))) {
      assertInstanceOf(WordLevelTokenizer.class, tok, "a WordLevel file loads back with word-level decoding");
      int[] ids = tok.encode(r.prompt());
      assertFalse(Arrays.stream(ids).anyMatch(id -> id == 2), "template and corpus words are all known");
      String decoded = tok.decode(ids);
      // spaces before newlines are not tokens; everything else comes back
      assertEquals(r.prompt().replace(" \n", "\n"), decoded);
      assertTrue(decoded.startsWith("# Example 1\n## Question\nWhich pet?\n"));
      assertEquals(ids.length, tok.encode(decoded).length, "decode then encode is stable");
    }
  }

  @Test
  void maxVocabAndMinCountCut() {
    try (WordLevelTokenizer tok = WordLevelTokenizer.build(CORPUS, 40, 1)) {
      assertEquals(40, tok.vocabSize());
    }
    try (WordLevelTokenizer all = WordLevelTokenizer.build(CORPUS, 10_000, 1);
        WordLevelTokenizer frequent = WordLevelTokenizer.build(CORPUS, 10_000, 2)) {
      assertTrue(frequent.vocabSize() < all.vocabSize());
      assertEquals(2, frequent.encode("grey")[0], "a word seen once is cut at min count 2");
    }
  }
}
