package org.fspo.eval.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {
  // probabilities at T = 1: 0.5, 0.25, 0.125, 0.125 (logits are their logs)
  static final float[] LOGITS = {(float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.125),
      (float) Math.log(0.125)};

  static double[] frequencies(SamplingConfig config, float[] logits, int draws) {
    TokenSampler sampler = new TokenSampler(config);
    SplittableRandom rng = new SplittableRandom(42);
    double[] f = new double[logits.length];
    for (int i = 0; i < draws; i++) {
      f[sampler.next(logits, rng)] += 1.0 / draws;
    }
    return f;
  }

  @Test
  void temperatureZeroIsArgmax() {
    assertEquals(1, new TokenSampler(new SamplingConfig(0, 1, 1, 0)).next(new float[] {0f, 3f, 2f}, new SplittableRandom(1)));
  }

  @Test
  void fullNucleusSamplesTheSoftmax() {
    double[] f = frequencies(new SamplingConfig(1.0, 1.0, 1, 0), LOGITS, 40_000);
    assertEquals(0.5, f[0], 0.01);
    assertEquals(0.25, f[1], 0.01);
    assertEquals(0.125, f[2], 0.01);
  }

  @Test
  void topPKeepsTheSmallestPrefixReachingTheMass() {
    // top_p 0.7: 0.5 < 0.7, 0.5 + 0.25 >= 0.7 -> keep tokens 0 and 1, renormalized to 2/3 and 1/3
    double[] f = frequencies(new SamplingConfig(1.0, 0.7, 1, 0), LOGITS, 30_000);
    assertEquals(2.0 / 3, f[0], 0.01);
    assertEquals(1.0 / 3, f[1], 0.01);
    assertEquals(0.0, f[2] + f[3]);
    // top_p tiny: only the most likely token
    assertEquals(1.0, frequencies(new SamplingConfig(1.0, 0.01, 1, 0), LOGITS, 100)[0], 1e-9);
  }

  @Test
  void temperatureSharpens() {
    // T = 0.5 squares the probabilities: 0.25, 0.0625, 0.015625 x2 over 0.34375
    double[] f = frequencies(new SamplingConfig(0.5, 1.0, 1, 0), LOGITS, 40_000);
    assertEquals(0.25 / 0.34375, f[0], 0.01);
    assertEquals(0.0625 / 0.34375, f[1], 0.01);
  }

  /** The sampler as first written: every token sorted (boxed) per draw; the nucleus path must pick what it picks. */
  static int sortEverything(SamplingConfig config, float[] logits, SplittableRandom rng) {
    int v = logits.length;
    double max = Double.NEGATIVE_INFINITY, sum = 0;
    for (float z : logits) max = Math.max(max, z);
    double[] p = new double[v];
    for (int i = 0; i < v; i++) sum += p[i] = Math.exp((logits[i] - max) / config.temperature());
    Integer[] order = new Integer[v];
    for (int i = 0; i < v; i++) {
      order[i] = i;
      p[i] /= sum;
    }
    java.util.Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
    int keep = 0;
    double mass = 0;
    while (keep < v && (keep == 0 || mass < config.topP())) mass += p[order[keep++]];
    double u = rng.nextDouble() * mass, acc = 0;
    for (int i = 0; i < keep; i++) {
      acc += p[order[i]];
      if (u < acc) return order[i];
    }
    return order[keep - 1];
  }

  @Test
  void theNucleusPicksWhatSortingTheWholeVocabularyPicks() {
    SplittableRandom gen = new SplittableRandom(3);
    for (double spread : new double[] {0.01, 1, 8}) { // nearly flat, LM-like, very peaked
      float[] logits = new float[5000];
      for (int i = 0; i < logits.length; i++) logits[i] = (float) (gen.nextGaussian() * spread);
      logits[17] = logits[18]; // a tie, broken by the lower id
      for (double topP : new double[] {0.01, 0.5, 0.9, 0.999}) {
        SamplingConfig c = new SamplingConfig(0.8, topP, 1, 0);
        TokenSampler sampler = new TokenSampler(c);
        SplittableRandom a = new SplittableRandom(11), b = new SplittableRandom(11);
        for (int draw = 0; draw < 200; draw++) {
          assertEquals(sortEverything(c, logits, a), sampler.next(logits, b), "spread " + spread + " top_p " + topP);
        }
      }
    }
  }
}
