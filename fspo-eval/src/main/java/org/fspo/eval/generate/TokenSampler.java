package org.fspo.eval.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits [V]: greedy at temperature 0, otherwise softmax(logits / T) restricted to the
 * top-p nucleus (Holtzman et al. 2019; HF's TopPLogitsWarper keeps the smallest prefix of the probability-sorted
 * tokens whose mass reaches top_p, always at least one), renormalized and sampled. Ties in probability are broken by
 * the lower token id, so the result depends only on (logits, config, rng state). At top_p 1 (OpenAI's default)
 * nothing is sorted: the draw walks the tokens by id.
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
    for (int i = 0; i < v; i++) {
      p[i] /= sum;
    }
    if (config.topP() >= 1) { // every token: no order needed, walk by id (HF's top_p = 1 is a no-op)
      double u = rng.nextDouble(), acc = 0;
      for (int i = 0; i < v; i++) {
        acc += p[i];
        if (u < acc) {
          return i;
        }
      }
      return v - 1;
    }
    int[] order = nucleus(p);
    int keep = 0;
    double mass = 0;
    while (keep < order.length && (keep == 0 || mass < config.topP())) {
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

  /**
   * The most probable tokens in order (probability descending, id ascending), enough of them that the walk above
   * reaches top_p within them: those with p >= t for the largest t = max p / 4^k whose set holds top_p + a margin
   * for summation order. Everything left out is less probable than everything kept, so this is the start of the
   * whole vocabulary's order, at the cost of sorting the nucleus instead of 152k tokens per generated token.
   */
  private int[] nucleus(double[] p) {
    double maxP = 0;
    for (double x : p) {
      maxP = Math.max(maxP, x);
    }
    for (double t = maxP; ; t /= 4) {
      if (t < Double.MIN_NORMAL) {
        t = 0; // the whole vocabulary
      }
      int n = 0;
      double mass = 0;
      for (double x : p) {
        if (x >= t) {
          n++;
          mass += x;
        }
      }
      if (t == 0 || n == p.length || mass >= config.topP() + 1e-9) {
        Integer[] order = new Integer[n];
        for (int i = 0, j = 0; i < p.length; i++) {
          if (p[i] >= t) {
            order[j++] = i;
          }
        }
        Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
      }
    }
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
