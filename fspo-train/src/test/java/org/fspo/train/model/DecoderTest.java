package org.fspo.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Arrays;
import org.fspo.train.model.gpt2.Gpt2Config;
import org.fspo.train.model.llama.LlamaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The KV-cached decoder gives the full forward pass's logits at every position. */
class DecoderTest {
  private static final int[] IDS = {166, 121, 28, 169, 43, 137, 315, 197, 290, 86, 161, 271, 3, 9};

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama", "gpt2-init", "llama-init-gqa4"})
  void decoderLogitsEqualFullForwardLogits(String which) {
    TransformerLm model = switch (which) {
      case "gpt2-init" -> Models.init(Gpt2Config.of(320, 32, 32, 2, 4), 1);
      case "llama-init-gqa4" -> Models.init(LlamaConfig.of(320, 32, 48, 2, 4, 1, 32), 2);
      default -> Models.load(HfConformanceTest.fixtureRoot().resolve(which).resolve("policy"));
    };
    int T = IDS.length;
    int[][] ones = new int[1][T];
    Arrays.fill(ones[0], 1);
    INDArray full = model.logits(new TokenBatch(new int[][] {IDS}, ones, new int[1][T])); // [1, T, V]
    try (Decoder d = model.decoder()) {
      int prompt = 5;
      float[] z = d.prefill(Arrays.copyOf(IDS, prompt));
      check(which, full, prompt - 1, z);
      for (int t = prompt; t < T; t++) {
        z = d.step(IDS[t]);
        check(which, full, t, z);
      }
      assertEquals(T, d.length());
      z = d.prefill(Arrays.copyOf(IDS, 2)); // prefill starts over
      check(which, full, 1, z);
    }
  }

  /**
   * A Qwen2-type model (q/k/v biases) with llama3 RoPE decoding past the cache's first allocation
   * ({@link KvCache#INITIAL} slots): the cache grows and keeps what it held.
   */
  @Test
  void decoderGrowsItsCacheAndStillEqualsTheFullForwardPass() throws Exception {
    LlamaConfig c = LlamaConfig.fromJson(new ObjectMapper().readTree(("{'model_type': 'qwen2', 'vocab_size': 50, "
        + "'hidden_size': 16, 'intermediate_size': 24, 'num_hidden_layers': 2, 'num_attention_heads': 4, "
        + "'num_key_value_heads': 2, 'max_position_embeddings': 600, 'rope_scaling': {'rope_type': 'llama3', "
        + "'factor': 8.0, 'low_freq_factor': 1.0, 'high_freq_factor': 4.0, 'original_max_position_embeddings': 64}}")
        .replace('\'', '"')));
    TransformerLm model = Models.init(c, 4);
    model.parameters().forEach((name, p) -> {
      if (name.endsWith(".bias")) p.assign(Ops.normal(new java.util.Random(name.hashCode()), 0.5, p.shape()));
    });
    int T = KvCache.INITIAL + 40, prompt = KvCache.INITIAL - 20;
    int[][] ids = new int[1][T], ones = new int[1][T];
    java.util.Random rng = new java.util.Random(1);
    for (int t = 0; t < T; t++) {
      ids[0][t] = rng.nextInt(50);
      ones[0][t] = 1;
    }
    INDArray full = model.logits(new TokenBatch(ids, ones, new int[1][T])); // [1, T, V]
    try (Decoder d = model.decoder()) {
      check("qwen2-llama3-rope", full, prompt - 1, d.prefill(Arrays.copyOf(ids[0], prompt)));
      for (int t = prompt; t < T; t++) check("qwen2-llama3-rope", full, t, d.step(ids[0][t]));
    }
  }

  /**
   * A fork has seen the same tokens and then goes its own way: the original and the fork, stepped with different
   * tokens (the original past its cache's first allocation, so it grows alone), each give the full forward pass's
   * logits of their own sequence.
   */
  @Test
  void aForkedDecoderContinuesIndependentlyOfItsOrigin() {
    TransformerLm model = Models.init(Gpt2Config.of(320, 300, 32, 2, 4), 3);
    int prompt = KvCache.INITIAL - 4, T = KvCache.INITIAL + 6;
    int[] a = new int[T], b = new int[T];
    java.util.Random rng = new java.util.Random(2);
    for (int t = 0; t < T; t++) {
      a[t] = rng.nextInt(320);
      b[t] = t < prompt ? a[t] : (a[t] + 1 + rng.nextInt(318)) % 320; // differs from a after the prompt
    }
    INDArray fullA = model.logits(new TokenBatch(new int[][] {a}, ones(T), new int[1][T]));
    INDArray fullB = model.logits(new TokenBatch(new int[][] {b}, ones(T), new int[1][T]));
    try (Decoder d = model.decoder()) {
      d.prefill(Arrays.copyOf(a, prompt));
      try (Decoder f = d.fork()) {
        assertEquals(prompt, f.length());
        for (int t = prompt; t < T; t++) check("original", fullA, t, d.step(a[t]));
        for (int t = prompt; t < prompt + 3; t++) check("fork", fullB, t, f.step(b[t]));
        assertEquals(T, d.length());
        assertEquals(prompt + 3, f.length());
      }
    }
  }

  private static int[][] ones(int t) {
    int[][] ones = new int[1][t];
    Arrays.fill(ones[0], 1);
    return ones;
  }

  private static void check(String which, INDArray full, int t, float[] z) {
    double[] want = full.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
        org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all()).toDoubleVector();
    double[] got = new double[z.length];
    for (int i = 0; i < z.length; i++) got[i] = z[i];
    HfConformanceTest.assertClose(which + " position " + t, got, want, 1e-5);
  }
}
