package org.fspo.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The prefix cache: a prompt whose first blocks were computed before gets, from a prefill that copies them in, the
 * logits (and later steps) its own single-sequence decoder gives; blocks match only after the same whole prefix; the
 * budget evicts the least recently used.
 */
class PrefixCacheTest {
  private static final int B = PrefixCache.BLOCK;

  /** n tokens from a seed, in the 40-token vocabulary of the test models. */
  private static int[] tokens(int n, int seed) {
    return IntStream.range(0, n).map(i -> (seed * 7 + i * 13 + i * i) % 40).toArray();
  }

  private static int[] concat(int[] a, int[] b) {
    return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void aCachedPrefixGivesEachPromptItsOwnLogits(String which) {
    TransformerLm model = BatchedDecoderTest.model(which); // 32 positions
    int[] shared = tokens(B, 1);
    int[] first = concat(shared, tokens(3, 2)), second = concat(shared, tokens(5, 3)), other = tokens(5, 4);
    try (BatchedDecoder d = new BatchedDecoder(model, 3, 1 << 20)) {
      float[] a = d.prefill(0, first); // computes all 19, caches block 0
      assertEquals(new PrefixCache.Stats(19, 0, 1, d.prefixStats().bytes(), 0), d.prefixStats());
      assertEquals(second.length - B, d.uncached(second));
      float[][] got = d.prefill(new int[] {1, 2}, new int[][] {second, other}); // second reuses 16 tokens
      assertEquals(16, d.prefixStats().reused());
      assertEquals(second.length, d.length(1));
      float[][] next = d.step(new int[] {1, 2, 0}, new int[] {17, 23, 29});
      assertClose(which + " first", BatchedDecoderTest.reference(model, first, new int[] {29}), a, next[2]);
      assertClose(which + " second", BatchedDecoderTest.reference(model, second, new int[] {17}), got[0], next[0]);
      assertClose(which + " other", BatchedDecoderTest.reference(model, other, new int[] {23}), got[1], next[1]);
    }
  }

  /**
   * A row whose cached prefix plus the batch's longest remainder would pass the model's 32 positions computes its
   * whole prompt instead, and still gets its own logits.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void aRowThatWouldRunPastTheEndComputesItsWholePrompt(String which) {
    TransformerLm model = BatchedDecoderTest.model(which);
    int[] shared = tokens(B, 5);
    int[] warm = concat(shared, tokens(1, 6)), longer = concat(shared, tokens(14, 7)), fresh = tokens(20, 8);
    try (BatchedDecoder d = new BatchedDecoder(model, 2, 1 << 20)) {
      d.prefill(0, warm);
      float[][] got = d.prefill(new int[] {0, 1}, new int[][] {longer, fresh}); // 16 + 20 > 32: no reuse
      assertEquals(0, d.prefixStats().reused());
      assertClose(which + " longer", BatchedDecoderTest.reference(model, longer, new int[0]), got[0]);
      assertClose(which + " fresh", BatchedDecoderTest.reference(model, fresh, new int[0]), got[1]);
    }
  }

  @Test
  void aBlockMatchesOnlyAfterTheSamePrefixAndNeverCoversTheLastToken() {
    PrefixCache cache = new PrefixCache(1, 1, 2, 1 << 20);
    int[] x = concat(tokens(B, 1), tokens(B, 2)), y = concat(tokens(B, 3), tokens(B, 2)); // same second block
    cache.insert(concat(x, new int[] {1}), List.of(), (start, k, v) -> k[0][0] = start + 100);
    assertEquals(2, cache.stats().blocks());
    assertEquals(2, cache.match(concat(x, new int[] {5}), true).size());
    assertEquals(1, cache.match(x, true).size(), "the last token is always computed");
    assertEquals(0, cache.match(concat(y, new int[] {5}), true).size(), "block 2's tokens after another block 1");
    assertEquals(116f, cache.match(concat(x, new int[] {5}), false).get(1).k()[0][0], "the block read at 16");
  }

  @Test
  void theBudgetEvictsTheLeastRecentlyUsedBlock() {
    PrefixCache probe = new PrefixCache(2, 1, 4, 0);
    long one = probe.blockBytes();
    assertEquals(2L * 2 * B * 4 * Float.BYTES, one, "k and v of 2 layers, 1 head, 16 tokens, 4 floats each");
    PrefixCache cache = new PrefixCache(2, 1, 4, 2 * one);
    int[] a = tokens(B + 1, 1), b = tokens(B + 1, 2), c = tokens(B + 1, 3);
    cache.insert(a, List.of(), (s, k, v) -> {});
    cache.insert(b, List.of(), (s, k, v) -> {});
    cache.match(a, true); // a is now the most recently used
    cache.insert(c, List.of(), (s, k, v) -> {});
    assertEquals(new PrefixCache.Stats(0, 0, 2, 2 * one, 1), cache.stats());
    assertEquals(1, cache.match(a, false).size());
    assertEquals(0, cache.match(b, false).size(), "b was least recently used");
    assertEquals(1, cache.match(c, false).size());
    PrefixCache off = new PrefixCache(2, 1, 4, one - 1);
    off.insert(a, List.of(), (s, k, v) -> {});
    assertTrue(off.match(a, false).isEmpty(), "a budget under one block caches nothing");
  }

  private static void assertClose(String what, float[][] want, float[]... got) {
    for (int t = 0; t < got.length; t++) {
      assertEquals(want[t].length, got[t].length, what);
      for (int i = 0; i < want[t].length; i++) {
        assertEquals(want[t][i], got[t][i], 1e-5 * Math.max(1, Math.abs(want[t][i])), what + " pass " + t + " logit " + i);
      }
    }
  }
}
