package org.fspo.eval.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Decoder;
import org.fspo.train.model.Models;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.model.gpt2.Gpt2Config;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class GeneratorTest {
  static final CausalLm TINY = Models.init(Gpt2Config.of(37, 48, 16, 2, 2), 3);

  @Test
  void greedyWithTheCacheEqualsArgmaxOfFullForwardPasses() {
    int[] prompt = {5, 9, 2, 30, 7};
    int[] generated = new Generator(TINY, new SamplingConfig(0, 1, 12, 0), -1).generate(prompt, "k");
    assertEquals(12, generated.length);
    int[] seq = prompt.clone();
    for (int step = 0; step < 12; step++) {
      int[] ones = new int[seq.length];
      Arrays.fill(ones, 1);
      INDArray z = TINY.logits(new TokenBatch(new int[][] {seq}, new int[][] {ones}, new int[][] {new int[seq.length]}));
      int next = z.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
          org.nd4j.linalg.indexing.NDArrayIndex.point(seq.length - 1),
          org.nd4j.linalg.indexing.NDArrayIndex.all()).argMax().getInt(0);
      assertEquals(next, generated[step], "token " + step);
      seq = Arrays.copyOf(seq, seq.length + 1);
      seq[seq.length - 1] = next;
    }
  }

  @Test
  void sampledOutputDependsOnlyOnSeedAndKey() {
    Generator g = new Generator(TINY, new SamplingConfig(1.0, 0.95, 10, 4), -1);
    int[] prompt = {1, 2, 3};
    assertArrayEquals(g.generate(prompt, "user-1"), g.generate(prompt, "user-1"));
    assertNotEquals(Arrays.toString(g.generate(prompt, "user-1")), Arrays.toString(g.generate(prompt, "user-2")));
  }

  @Test
  void stopsAtEosAtAStopConditionAndAtTheContextLimit() {
    CausalLm counter = new CountingModel(8); // always predicts last token + 1; EOS is token 6
    assertArrayEquals(new int[] {3, 4, 5}, new Generator(counter, new SamplingConfig(0, 1, 50, 0), 6).generate(new int[] {2}, "k"));
    assertArrayEquals(new int[] {3, 4}, new Generator(counter, new SamplingConfig(0, 1, 50, 0), 6)
        .generate(new int[] {2}, "k", Generator.onToken(t -> t == 4)));
    // maxPositions 8 with a 6-token prompt leaves room for 2 new tokens
    assertArrayEquals(new int[] {1, 2}, new Generator(counter, new SamplingConfig(0, 1, 50, 0), 99)
        .generate(new int[] {5, 5, 5, 5, 5, 0}, "k"));
  }

  @Test
  void stopsAtAnyOfTheModelsEosIdsToo() {
    // config.json eos_token_id [5, 8] (as Llama 3 Instruct lists three): the first reached ends generation
    CausalLm listed = new CountingModel(50) {
      @Override public java.util.List<Integer> eosTokenIds() { return java.util.List.of(8, 5); }
    };
    SamplingConfig greedy = new SamplingConfig(0, 1, 50, 0);
    assertArrayEquals(new int[] {3, 4}, new Generator(listed, greedy, 9).generate(new int[] {2}, "k"));
    assertArrayEquals(new int[] {6, 7}, new Generator(listed, greedy, 9).generate(new int[] {5}, "k"));
    assertArrayEquals(new int[] {}, new Generator(listed, greedy, 9).generate(new int[] {8}, "k")); // tokenizer's 9
  }

  /** A decoder-only stub whose next-token logits peak at (last token + 1) mod 10. */
  static class CountingModel implements CausalLm {
    final int positions;

    CountingModel(int positions) {
      this.positions = positions;
    }

    @Override public String family() { return "stub"; }
    @Override public int vocabSize() { return 10; }
    @Override public int maxPositions() { return positions; }
    @Override public LinkedHashMap<String, INDArray> parameters() { return new LinkedHashMap<>(); }
    @Override public INDArray logits(TokenBatch batch) { throw new UnsupportedOperationException(); }
    @Override public Forward forward(TokenBatch batch) { throw new UnsupportedOperationException(); }
    @Override public Map<String, INDArray> backward(Forward f, double[] d) { throw new UnsupportedOperationException(); }
    @Override public void save(Path dir) { throw new UnsupportedOperationException(); }

    @Override
    public Decoder decoder() {
      return new Decoder() {
        int length;

        float[] peak(int last) {
          float[] z = new float[10];
          z[(last + 1) % 10] = 5f;
          return z;
        }

        @Override public float[] prefill(int[] ids) { length = ids.length; return peak(ids[ids.length - 1]); }
        @Override public float[] step(int id) { length++; return peak(id); }
        @Override public int length() { return length; }
        @Override public void close() {}
      };
    }
  }
}
