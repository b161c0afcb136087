package org.fspo.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.train.model.HfConformanceTest.Fixture;
import org.fspo.train.model.lora.LoraAdapters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The memory-saving paths give the plain path's numbers, on the HF fixture models: GPT-2 (LM head tied to wte),
 * Llama (untied lm_head) and the LoRA fixture (adapter gradients only, frozen head).
 * <ul>
 *   <li>The LM head in chunks of 3 rows (log-sum-exp kept, logits recomputed in backward) against one chunk (softmax
 *   kept): log-probs within 1e-6 and every gradient within 1e-5 relative (float rounding of the recomputation).
 *   <li>Activation recomputation: the same arithmetic run again, so the log-probs and gradients are bit-identical.
 * </ul>
 */
class MemoryPathsTest {
  /** d loss / d seq logp of each fixture sequence: arbitrary, non-zero, of both signs. */
  private static double[] dSeq(int n) {
    double[] d = new double[n];
    for (int b = 0; b < n; b++) d[b] = (b % 2 == 0 ? 1 : -0.7) * (1 + 0.25 * b);
    return d;
  }

  private static TransformerLm load(String which) {
    Path root = FixtureRoots.first().resolveSibling("hf-archs");
    return switch (which) {
      case "lora-llama3" -> LoraAdapters.apply(Models.load(root.resolve("lora-llama3/policy")),
          root.resolve("lora-llama3/adapter"));
      default -> Models.load(FixtureRoots.first().resolve(which).resolve("policy"));
    };
  }

  private static Fixture fixture(String which) throws Exception {
    Path root = FixtureRoots.first();
    return Fixture.read(which.equals("lora-llama3") ? root.resolveSibling("hf-archs").resolve(which)
        : root.resolve(which));
  }

  private record Run(double[] logps, Map<String, INDArray> grads) {}

  private static Run run(TransformerLm m, Fixture f, boolean recompute, int chunk) {
    m.setActivationCheckpointing(recompute);
    m.setHeadChunkRows(chunk);
    CausalLm.Forward fw = m.forward(f.batch());
    Map<String, INDArray> g = new LinkedHashMap<>(m.backward(fw, dSeq(fw.seqLogps().length)));
    return new Run(fw.seqLogps(), g);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama", "lora-llama3"})
  void chunkedHeadAndRecomputationEqualThePlainPath(String which) throws Exception {
    Fixture f = fixture(which);
    TransformerLm m = load(which);
    Run plain = run(m, f, false, 0);
    CausalLm.Forward logpsOnly = m.score(f.batch()); // a reference's log-probs: block inputs only, no backward state
    assertArrayEquals(plain.logps(), logpsOnly.seqLogps(), 0.0, which + " score() logps");
    assertNull(logpsOnly.cache(), which + " score() keeps no backward state");
    int scored = 0;
    for (int[] row : f.batch().responseMask()) for (int t = 1; t < row.length; t++) scored += row[t];
    assertTrue(scored > 3 * 2, which + ": the fixture must score more rows than two chunks of 3");

    Run chunked = run(m, f, false, 3);
    assertArrayEquals(plain.logps(), chunked.logps(), 1e-6 * maxAbs(plain.logps()), which + " chunked logps");
    assertEquals(plain.grads().keySet(), chunked.grads().keySet());
    plain.grads().forEach((name, g) -> {
      double rel = g.sub(chunked.grads().get(name)).norm2Number().doubleValue() / g.norm2Number().doubleValue();
      assertTrue(rel <= 1e-5, which + " chunked gradient " + name + ": relative difference " + rel);
    });

    Run recomputed = run(m, f, true, 0);
    assertArrayEquals(plain.logps(), recomputed.logps(), 0.0, which + " logps with recomputation");
    plain.grads().forEach((name, g) -> assertEquals(g, recomputed.grads().get(name), which + " gradient " + name
        + " with recomputation"));

    Run both = run(m, f, true, 3);
    chunked.grads().forEach((name, g) -> assertEquals(g, both.grads().get(name), which + " gradient " + name
        + " chunked, with recomputation"));
  }

  private static double maxAbs(double[] v) {
    double m = 0;
    for (double x : v) m = Math.max(m, Math.abs(x));
    return m;
  }
}
