package org.fspo.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.fspo.core.FspoUserException;
import org.fspo.train.model.gpt2.Gpt2Config;
import org.fspo.train.model.llama.LlamaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Batched decoding gives each sequence the logits its own single-sequence {@link KvDecoder} gives, whatever the other
 * rows of the batch are, when sequences of different lengths join and leave between steps, and when a slot is reused.
 */
class BatchedDecoderTest {
  private static final int[][] PROMPTS = {{5, 9, 2, 30, 7}, {11}, {3, 4, 5, 6, 7, 8, 9, 10, 12}};

  static TransformerLm model(String which) {
    return switch (which) {
      case "gpt2" -> Models.init(Gpt2Config.of(40, 32, 32, 2, 4), 1);
      default -> Models.init(LlamaConfig.of(40, 32, 48, 2, 4, 1, 32), 2); // grouped-query: 4 heads, 1 kv head
    };
  }

  /** The single-sequence decoder's logits for prompt p then tokens fed[0..steps). */
  static float[][] reference(TransformerLm model, int[] prompt, int[] fed) {
    float[][] out = new float[fed.length + 1][];
    try (Decoder d = model.decoder()) {
      out[0] = d.prefill(prompt);
      for (int t = 0; t < fed.length; t++) out[t + 1] = d.step(fed[t]);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void everyRowMatchesItsOwnSingleSequenceDecoder(String which) {
    TransformerLm model = model(which);
    int steps = 6;
    int[][] fed = new int[PROMPTS.length][steps];
    for (int s = 0; s < PROMPTS.length; s++) {
      for (int t = 0; t < steps; t++) fed[s][t] = (7 * s + 3 * t + 1) % 40;
    }
    try (BatchedDecoder batched = new BatchedDecoder(model, 4)) {
      // slot 2 holds a stale sequence first, so reuse is covered; sequence s lives in slot (s + 1) % 4
      batched.prefill(2, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
      float[][][] got = new float[PROMPTS.length][steps + 1][];
      int[] slot = {1, 2, 3};
      got[0][0] = batched.prefill(slot[0], PROMPTS[0]);
      got[1][0] = batched.prefill(slot[1], PROMPTS[1]);
      int[] next = new int[PROMPTS.length];
      for (int t = 0; t < steps; t++) {
        if (t == 2) got[2][0] = batched.prefill(slot[2], PROMPTS[2]); // joins late
        int[] active = t < 2 ? new int[] {0, 1} : new int[] {0, 1, 2};
        int[] slots = new int[active.length], tokens = new int[active.length];
        for (int i = 0; i < active.length; i++) {
          int s = active[i];
          slots[i] = slot[s];
          tokens[i] = fed[s][next[s]];
        }
        float[][] z = batched.step(slots, tokens);
        for (int i = 0; i < active.length; i++) got[active[i]][++next[active[i]]] = z[i];
      }
      for (int s = 0; s < PROMPTS.length; s++) {
        float[][] want = reference(model, PROMPTS[s], Arrays.copyOf(fed[s], next[s]));
        for (int t = 0; t <= next[s]; t++) {
          assertClose(which + " sequence " + s + " step " + t, want[t], got[s][t]);
        }
        assertEquals(PROMPTS[s].length + next[s], batched.length(slot[s]));
      }
    }
  }

  /**
   * Prompts of 5, 1 and 9 tokens prefilled in one padded pass (into slots that held longer stale sequences) give each
   * the logits of its own prefill, and the steps after it too: the padding's keys past a prompt are never seen.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void oneBatchedPrefillOfDifferentLengthsMatchesEachPromptAlone(String which) {
    TransformerLm model = model(which);
    try (BatchedDecoder batched = new BatchedDecoder(model, 3)) {
      int[] stale = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
      batched.prefill(new int[] {0, 1, 2}, new int[][] {stale, stale, stale});
      int[] slots = {2, 0, 1};
      float[][] first = batched.prefill(slots, PROMPTS);
      int[] fed = {17, 23, 29};
      float[][] second = batched.step(slots, fed);
      for (int s = 0; s < PROMPTS.length; s++) {
        float[][] want = reference(model, PROMPTS[s], new int[] {fed[s]});
        assertClose(which + " prompt " + s + " prefill", want[0], first[s]);
        assertClose(which + " prompt " + s + " step", want[1], second[s]);
        assertEquals(PROMPTS[s].length + 1, batched.length(slots[s]));
      }
      assertThrows(IllegalArgumentException.class, () -> batched.prefill(new int[] {0, 0}, new int[][] {{1}, {2}}));
    }
  }

  @Test
  void refusesToDecodePastTheContextWithOneLine() {
    TransformerLm model = model("gpt2"); // 32 positions
    try (BatchedDecoder batched = new BatchedDecoder(model, 1)) {
      FspoUserException e = assertThrows(FspoUserException.class, () -> batched.prefill(0, new int[33]));
      assertEquals(1, e.getMessage().lines().count());
      batched.prefill(0, new int[32]);
      assertThrows(FspoUserException.class, () -> batched.step(new int[] {0}, new int[] {1}));
    }
  }

  private static void assertClose(String what, float[] want, float[] got) {
    assertEquals(want.length, got.length, what);
    for (int i = 0; i < want.length; i++) {
      double tol = 1e-5 * Math.max(1, Math.abs(want[i]));
      assertEquals(want[i], got[i], tol, what + " logit " + i);
    }
  }
}
