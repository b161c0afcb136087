package org.fspo.eval.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.fspo.train.model.Decoder;
import org.junit.jupiter.api.Test;

class RepetitionPenaltyTest {
  @Test
  void lowersEachRepeatedTokenByItsCountTimesFrequencyPlusPresenceOnce() {
    float[] z = {1f, 2f, 3f, 0f};
    new RepetitionPenalty(0.25, 0.5).apply(z, new int[] {2, 2, 0, 3}, 3); // the 3 after n is not in the response yet
    // token 2: 3 - 2 * 0.5 - 0.25; token 0: 1 - 0.5 - 0.25; tokens 1 and 3 untouched
    assertArrayEquals(new float[] {0.25f, 2f, 1.75f, 0f}, z);
    float[] negative = {0f, 0f};
    new RepetitionPenalty(-1, -0.5).apply(negative, new int[] {1}, 1); // negative values favour repeats
    assertArrayEquals(new float[] {0f, 1.5f}, negative);
    float[] off = {1f, 2f};
    RepetitionPenalty.NONE.apply(off, new int[] {0, 1}, 2);
    assertArrayEquals(new float[] {1f, 2f}, off);
  }

  @Test
  void outOfRangeValuesAndBeamsAreRefusedInOneLine() {
    assertEquals("generate.presence_penalty must be in [-2, 2] (0 = off), got 2.5",
        assertThrows(IllegalArgumentException.class, () -> new RepetitionPenalty(2.5, 0)).getMessage());
    assertEquals("generate.frequency_penalty must be in [-2, 2] (0 = off), got NaN",
        assertThrows(IllegalArgumentException.class, () -> new RepetitionPenalty(0, Double.NaN)).getMessage());
    assertEquals("generate.presence_penalty and frequency_penalty apply to sampling and greedy decoding, not to beam "
        + "search: set them to 0, or num_beams to 1", assertThrows(IllegalArgumentException.class,
            () -> new SamplingConfig(0, 1, 8, 0, 4, 0, 0.0, 0.5)).getMessage());
  }

  /**
   * A model whose next-token logits are always 1.0, 0.5 and 0 for tokens 1, 2 and 3 (the rest -10): greedy repeats
   * token 1 for ever. With presence 0.6, token 1 falls to 0.4 once it occurs, so 2 (0.5) is picked once, then 1
   * again (0.4 beats 2's -0.1 and 3's 0). With frequency 0.3, token 1 falls by 0.3 per occurrence: 1, 1 (0.7), 2
   * (0.4 < 0.5), 1 (0.4 > 0.2), 2 (0.1 < 0.2), 1 (0.1 > -0.1 and 0).
   */
  @Test
  void greedyDecodingFollowsThePenalisedLogitsStepByStep() {
    GeneratorTest.CountingModel fixed = new GeneratorTest.CountingModel(64) {
      @Override
      public Decoder decoder() {
        return new Decoder() {
          int length;

          float[] z() {
            float[] z = new float[10];
            java.util.Arrays.fill(z, -10f);
            z[1] = 1f;
            z[2] = 0.5f;
            z[3] = 0f;
            return z;
          }

          @Override public float[] prefill(int[] ids) { length = ids.length; return z(); }
          @Override public float[] step(int id) { length++; return z(); }
          @Override public int length() { return length; }
          @Override public void close() {}
        };
      }
    };
    int[] prompt = {0};
    assertArrayEquals(new int[] {1, 1, 1, 1}, new Generator(fixed, new SamplingConfig(0, 1, 4, 0), 9)
        .generate(prompt, "k"));
    assertArrayEquals(new int[] {1, 2, 1, 1}, new Generator(fixed, new SamplingConfig(0, 1, 4, 0, 1, 0, 0.6, 0.0), 9)
        .generate(prompt, "k"));
    assertArrayEquals(new int[] {1, 1, 2, 1, 2, 1},
        new Generator(fixed, new SamplingConfig(0, 1, 6, 0, 1, 0, 0.0, 0.3), 9).generate(prompt, "k"));
  }
}
