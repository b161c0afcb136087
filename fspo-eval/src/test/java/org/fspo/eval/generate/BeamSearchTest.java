package org.fspo.eval.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Decoder;
import org.fspo.train.model.TokenBatch;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class BeamSearchTest {
  private static final CausalLm TINY = GeneratorTest.TINY; // gpt2, vocab 37, 48 positions

  @Test
  void oneBeamIsGreedy() {
    int[] prompt = {5, 9, 2, 30, 7};
    int[] greedy = new Generator(TINY, new SamplingConfig(0, 1, 12, 0), -1).generate(prompt, "k");
    Decoder d = TINY.decoder();
    float[] first = d.prefill(prompt);
    assertArrayEquals(greedy, BeamSearch.search(d, first, 1, 12, java.util.Set.of(), (t, n) -> false, 0).tokens());
  }

  /**
   * With as many beams as tokens, two steps keep every first token and rank all V^2 continuations, so the search
   * returns the pair with the highest joint probability, found here by brute force over full forward passes.
   */
  @Test
  void asManyBeamsAsTokensFindTheMostLikelyTwoTokenContinuation() {
    int[] prompt = {4, 11, 23};
    int v = TINY.vocabSize();
    double best = Double.NEGATIVE_INFINITY;
    int[] want = null;
    double[] first = logProbs(prompt);
    for (int t1 = 0; t1 < v; t1++) {
      double[] second = logProbs(new int[] {4, 11, 23, t1});
      for (int t2 = 0; t2 < v; t2++) {
        if (first[t1] + second[t2] > best) {
          best = first[t1] + second[t2];
          want = new int[] {t1, t2};
        }
      }
    }
    int[] got = new Generator(TINY, new SamplingConfig(0, 1, 2, 0, v, 0), -1).generate(prompt, "k");
    assertArrayEquals(want, got);
    int[] greedy = new Generator(TINY, new SamplingConfig(0, 1, 2, 0), -1).generate(prompt, "k");
    double greedyLogp = first[greedy[0]] + logProbs(new int[] {4, 11, 23, greedy[0]})[greedy[1]];
    assertTrue(greedyLogp <= best, "greedy cannot beat the exhaustive best");
  }

  /**
   * The textbook case greedy gets wrong ({@link TableModel}): token 1 (p 0.5) is followed by ten equally likely tokens,
   * token 2 (p 0.4) by token 3 almost surely, and everything after them ends (EOS 9). Greedy writes [1, x]; two
   * beams find [2, 3], whose score (log 0.4 + log 0.99) / 2 = -0.46 beats (log 0.5 + log 0.1) / 2 = -1.50.
   */
  @Test
  void twoBeamsFindTheLikelierSequenceGreedyMisses() {
    CausalLm table = new TableModel();
    assertEquals(1, new Generator(table, new SamplingConfig(0, 1, 10, 0), 9).generate(new int[] {0}, "k")[0]);
    Generator.Output beam = new Generator(table, new SamplingConfig(0, 1, 10, 0, 2, 0), 9)
        .sample(new int[] {0}, "k", (t, n) -> false);
    assertArrayEquals(new int[] {2, 3}, beam.tokens());
    assertTrue(beam.endedAtEos());
    // a stop condition ends a hypothesis like EOS does, keeping its last token
    Generator.Output stopped = new Generator(table, new SamplingConfig(0, 1, 10, 0, 2, 0), 9)
        .sample(new int[] {0}, "k", Generator.onToken(t -> t == 3));
    assertArrayEquals(new int[] {2, 3}, stopped.tokens());
    assertFalse(stopped.endedAtEos());
    // the token limit ends every hypothesis: with one token, 1 (p 0.5) beats 2 (p 0.4)
    assertArrayEquals(new int[] {1},
        new Generator(table, new SamplingConfig(0, 1, 1, 0, 2, 0), 9).generate(new int[] {0}, "k"));
  }

  @Test
  void topTokensAreTheHighestFirstWithTiesToTheLowerIndex() {
    assertArrayEquals(new int[] {3, 1, 4}, BeamSearch.topTokens(new double[] {0, 2, -1, 5, 2, 2}, 3)); // 1, 4, 5 tie
    assertArrayEquals(new int[] {1, 0}, BeamSearch.topTokens(new double[] {1, 7}, 5));
    double[] ls = BeamSearch.logSoftmax(new float[] {1f, 2f, 3f});
    assertEquals(1.0, Math.exp(ls[0]) + Math.exp(ls[1]) + Math.exp(ls[2]), 1e-12);
    assertEquals(-Math.log(1 + Math.E + Math.E * Math.E), ls[0], 1e-12); // log(e^1 / (e^1 + e^2 + e^3))
  }

  @Test
  void beamSearchNeedsTemperatureZeroAndAtLeastOneBeamAndTheNgramBanANonNegativeSize() throws Exception {
    assertEquals("generate.num_beams 4 is beam search, which is deterministic: set generate.temperature to 0 (beam "
        + "sampling is not supported), or num_beams to 1",
        assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(0.7, 1, 10, 0, 4, 0)).getMessage());
    assertEquals("generate.num_beams must be >= 1 (1 = no beam search), got 0",
        assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(0, 1, 10, 0, 0, 0)).getMessage());
    assertEquals("generate.no_repeat_ngram_size must be >= 0 (0 = off), got -1",
        assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(0, 1, 10, 0, 1, -1)).getMessage());
    SamplingConfig parsed = new ObjectMapper().readValue(
        "{\"temperature\": 0, \"top_p\": 1, \"max_tokens\": 8, \"seed\": 0}", SamplingConfig.class);
    assertEquals(1, parsed.numBeams()); // absent: no beam search
  }

  private static double[] logProbs(int[] seq) {
    int[][] ones = new int[1][seq.length];
    Arrays.fill(ones[0], 1);
    INDArray z = TINY.logits(new TokenBatch(new int[][] {seq}, ones, new int[1][seq.length]));
    double[] row = z.get(NDArrayIndex.point(0), NDArrayIndex.point(seq.length - 1), NDArrayIndex.all())
        .toDoubleVector();
    double max = Arrays.stream(row).max().orElseThrow(), sum = 0;
    for (double x : row) sum += Math.exp(x - max);
    double log = max + Math.log(sum);
    return Arrays.stream(row).map(x -> x - log).toArray();
  }

  /**
   * Next-token probabilities from a table keyed by the whole sequence (vocabulary 0..13, EOS 9), so a hypothesis
   * that shared another's decoder instead of forking it would read the other's tokens: after the prompt [0], 1 (p 0.5),
   * 2 (0.4) or 4 (0.1); after [0, 1] ten tokens at 0.1; after [0, 2] 3 (0.99) or 4 (0.01); then EOS.
   */
  static final class TableModel extends GeneratorTest.CountingModel { // its stub methods; a decoder of its own
    static float[] probs(java.util.List<Integer> seq) {
      float[] p = new float[14];
      if (seq.size() == 1) {
        p[1] = 0.5f;
        p[2] = 0.4f;
        p[4] = 0.1f;
      } else if (seq.size() == 2 && seq.get(1) == 1) {
        for (int t : new int[] {4, 5, 6, 7, 8, 10, 11, 12, 13, 3}) p[t] = 0.1f;
      } else if (seq.size() == 2 && seq.get(1) == 2) {
        p[3] = 0.99f;
        p[4] = 0.01f;
      } else {
        p[9] = 1f;
      }
      return p;
    }

    static float[] logits(java.util.List<Integer> seq) {
      float[] p = probs(seq), z = new float[p.length];
      for (int i = 0; i < p.length; i++) z[i] = p[i] > 0 ? (float) Math.log(p[i]) : -1e9f;
      return z;
    }

    TableModel() {
      super(64);
    }

    @Override public String family() { return "table"; }
    @Override public int vocabSize() { return 14; }

    @Override
    public Decoder decoder() {
      return new TableDecoder(new java.util.ArrayList<>());
    }

    private record TableDecoder(java.util.List<Integer> seq) implements Decoder {
      @Override public float[] prefill(int[] ids) {
        seq.clear();
        for (int id : ids) seq.add(id);
        return logits(seq);
      }

      @Override public float[] step(int id) { seq.add(id); return logits(seq); }
      @Override public Decoder fork() { return new TableDecoder(new java.util.ArrayList<>(seq)); }
      @Override public int length() { return seq.size(); }
      @Override public void close() {}
    }
  }
}
