package org.fspo.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.core.prompt.RenderedPair;
import org.fspo.train.model.TokenBatch;
import org.junit.jupiter.api.Test;

/** The worked example of PairCollator's Javadoc, row by row, and the untruncated layout. */
class PairCollatorTest {
  static PreferencePair pair(String id, String q, String c, String r) {
    return new PreferencePair("u", id, q, c, r, null, "procedural", "train", null);
  }

  static final Episode EXAMPLE = new Episode("u", List.of(pair("p1", "Pick?", "A", "B")),
      pair("p2", "Which one wins?", "yes", "no no no no no no no no"));

  static int[] ones(int ones, int zeros) {
    int[] out = new int[ones + zeros];
    Arrays.fill(out, 0, ones, 1);
    return out;
  }

  static int[] mask(int zeros, int ones, int tail) {
    int[] out = new int[zeros + ones + tail];
    Arrays.fill(out, zeros, zeros + ones, 1);
    return out;
  }

  @Test
  void workedExampleFromTheJavadoc() {
    ToyTokenizer tok = new ToyTokenizer();
    Collated c = new PairCollator(tok, PromptFormat.DEFAULT, 24, 6).collate(List.of(EXAMPLE));
    TokenBatch b = c.batch();
    String prompt = "# Task \\n Generate a response to the following question. \\n ## Question \\n Which \\n";
    assertEquals(prompt + " ## Preferred Response \\n yes \\n </s> <pad>", tok.decode(b.inputIds()[0]));
    assertEquals(prompt + " ## Preferred Response \\n no no no no", tok.decode(b.inputIds()[1]));
    assertArrayEquals(ones(23, 1), b.attentionMask()[0]);
    assertArrayEquals(ones(24, 0), b.attentionMask()[1]);
    assertArrayEquals(mask(16, 7, 1), b.responseMask()[0]);
    assertArrayEquals(mask(16, 8, 0), b.responseMask()[1]);
    assertEquals(new Truncation(1, 1, 1, 0), c.truncation());
    assertArrayEquals(new int[] {0}, c.shotsUsed());
    assertEquals(47, c.realTokens());
  }

  @Test
  void untruncatedPairsShareThePromptAndPadToTheLongestRow() {
    ToyTokenizer tok = new ToyTokenizer();
    Episode second = new Episode("u", List.of(), pair("p3", "Why?", "because", "no"));
    Collated c = new PairCollator(tok, PromptFormat.DEFAULT, 1000, 6).collate(List.of(EXAMPLE, second));
    TokenBatch b = c.batch();
    assertEquals(4, b.batchSize());
    // 1-shot prompt 45 tokens + rejected completion 14 = 59, the longest row
    assertEquals(59, b.seqLen());
    assertArrayEquals(Arrays.copyOf(b.inputIds()[0], 45), Arrays.copyOf(b.inputIds()[1], 45), "shared prompt");
    assertArrayEquals(mask(45, 7, 7), b.responseMask()[0]);
    assertArrayEquals(mask(45, 14, 0), b.responseMask()[1]);
    assertEquals(Truncation.NONE, c.truncation());
    assertArrayEquals(new int[] {1, 0}, c.shotsUsed());
    // pair 2: 0-shot prompt "# Task \n ... ## Question \n Why? \n" = 16 tokens, completions 7 and 7
    assertArrayEquals(mask(16, 7, 36), b.responseMask()[2]);
    assertEquals("</s>", tok.decode(new int[] {b.inputIds()[3][22]}));
  }

  @Test
  void neverCutsAResponseBelowTheMinimum() {
    ToyTokenizer tok = new ToyTokenizer();
    RenderedPair long_ = new RenderedPair("a b c d e f g h i j", "x y z w v u", "r");
    Collated c = new PairCollator(tok, PromptFormat.DEFAULT, 8, 5).collateRendered(List.of(long_));
    // the chosen completion (6 + eos = 7) keeps 5, so the prompt keeps its last 3 tokens
    assertEquals("h i j x y z w v", tok.decode(c.batch().inputIds()[0]));
    assertArrayEquals(mask(3, 5, 0), c.batch().responseMask()[0]);
    assertArrayEquals(mask(3, 2, 3), c.batch().responseMask()[1]);
    assertEquals(new Truncation(0, 0, 1, 1), c.truncation());
  }
}
