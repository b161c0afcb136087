package org.fspo.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import org.fspo.train.model.gpt2.Gpt2Config;
import org.fspo.train.model.llama.LlamaConfig;
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

  private static void check(String which, INDArray full, int t, float[] z) {
    double[] want = full.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
        org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all()).toDoubleVector();
    double[] got = new double[z.length];
    for (int i = 0; i < z.length; i++) got[i] = z[i];
    HfConformanceTest.assertClose(which + " position " + t, got, want, 1e-5);
  }
}
