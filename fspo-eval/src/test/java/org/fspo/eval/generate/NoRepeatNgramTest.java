package org.fspo.eval.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NoRepeatNgramTest {
  @Test
  void bansWhatFollowedEarlierOccurrencesOfTheLastTokens() {
    float[] z = new float[6];
    NoRepeatNgram.ban(z, new int[] {1, 2, 3, 1, 2, 0}, 5, 3); // last two (1, 2) came before, followed by 3
    assertArrayEquals(new float[] {0, 0, 0, Float.NEGATIVE_INFINITY, 0, 0}, z);
    z = new float[6];
    NoRepeatNgram.ban(z, new int[] {5, 4, 5, 1, 5}, 5, 2); // 5 was followed by 4 and 1
    assertArrayEquals(new float[] {0, Float.NEGATIVE_INFINITY, 0, 0, Float.NEGATIVE_INFINITY, 0}, z);
    z = new float[6];
    NoRepeatNgram.ban(z, new int[] {1, 2, 1, 2}, 4, 0); // off
    NoRepeatNgram.ban(z, new int[] {1}, 1, 3); // too short to repeat a 3-gram
    assertArrayEquals(new float[6], z);
  }

  /**
   * The counting stub predicts (last + 1) mod 10, so greedy decoding cycles 3, 4, .. 9, 0, 1, 2, 3, 4; with
   * no_repeat_ngram_size 2 the second (3, 4) is banned (the prompt's tokens do not count: 2 follows the prompt's 2),
   * and the argmax of what is left, all logits 0, is the lowest id: 0.
   */
  @Test
  void greedyDecodingNeverRepeatsABigramOfItsResponse() {
    GeneratorTest.CountingModel counter = new GeneratorTest.CountingModel(50);
    int[] plain = new Generator(counter, new SamplingConfig(0, 1, 12, 0), 99).generate(new int[] {2}, "k");
    assertArrayEquals(new int[] {3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4}, plain);
    int[] banned = new Generator(counter, new SamplingConfig(0, 1, 12, 0, 1, 2), 99).generate(new int[] {2}, "k");
    assertArrayEquals(new int[] {3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 0}, banned);
    assertFalse(repeats(plain, 2) == 0);
    assertEquals(0, repeats(banned, 2));
  }

  @Test
  void beamSearchNeverRepeatsATrigramOfAHypothesis() {
    int[] prompt = {3, 3, 8};
    int[] plain = new Generator(GeneratorTest.TINY, new SamplingConfig(0, 1, 40, 0, 3, 0), -1).generate(prompt, "k");
    int[] banned = new Generator(GeneratorTest.TINY, new SamplingConfig(0, 1, 40, 0, 3, 3), -1).generate(prompt, "k");
    assertTrue(repeats(plain, 3) > 0, "the random model loops: " + Arrays.toString(plain));
    assertEquals(40, banned.length);
    assertEquals(0, repeats(banned, 3), Arrays.toString(banned));
  }

  /** n-grams of {@code tokens} that occurred before. */
  private static int repeats(int[] tokens, int n) {
    Set<List<Integer>> seen = new HashSet<>();
    int repeated = 0;
    for (int i = 0; i + n <= tokens.length; i++) {
      if (!seen.add(Arrays.stream(Arrays.copyOfRange(tokens, i, i + n)).boxed().toList())) repeated++;
    }
    return repeated;
  }
}
