package org.fspo.eval.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits [V]: greedy at temperature 0, otherwise softmax(logits / T) restricted to the
 * top-p nucleus (Holtzman et al. 2019; HF's TopPLogitsWarper keeps the smallest prefix of the probability-sorted
 * tokens whose mass reaches top_p, always at least one), renormalized and sampled. Ties in probability are broken by
 * the lower token id, so the result depends only on (logits, config, rng state).
 */
public final class TokenSampler {
  private final SamplingConfig config;

  public TokenSampler(SamplingConfig config) {
    this.config = config;
  }

  public int next(float[] logits, SplittableRandom rng) {
    if (config.temperature() == 0) {
      return argmax(logits);
    }
    int v = logits.length;
    double max = Double.NEGATIVE_INFINITY;
    for (float z : logits) {
      max = Math.max(max, z);
    }
    double[] p = new double[v];
    double sum = 0;
    for (int i = 0; i < v; i++) {
      p[i] = Math.exp((logits[i] - max) / config.temperature()); // stable softmax numerator
      sum += p[i];
    }
    Integer[] order = new Integer[v];
    for (int i = 0; i < v; i++) {
      order[i] = i;
      p[i] /= sum;
    }
    Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
    int keep = 0;
    double mass = 0;
    while (keep < v && (keep == 0 || mass < config.topP())) {
      mass += p[order[keep++]];
    }
    double u = rng.nextDouble() * mass;
    double acc = 0;
    for (int i = 0; i < keep; i++) {
      acc += p[order[i]];
      if (u < acc) {
        return order[i];
      }
    }
    return order[keep - 1];
  }

  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
