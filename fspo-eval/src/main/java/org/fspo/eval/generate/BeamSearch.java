package org.fspo.eval.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.fspo.train.model.Decoder;

/**
 * Beam search as Hugging Face's generate does it with num_beams k, length_penalty 1 and early_stopping true: the k
 * hypotheses with the highest sum of token log-probs are kept; each step ranks every hypothesis's 2k most likely next
 * tokens by the sum so far plus the token's log-prob and keeps the best k that do not end. A candidate ending in an
 * EOS token among the top k, or one after which the caller's stop condition fires, is set aside as finished, scored
 * by its sum of log-probs over its length in new tokens (the EOS is scored but not counted, as in HF); so is one
 * that reaches the token limit. Search ends once k hypotheses have finished, and the best-scored of them wins.
 * Ties go to the lower beam index, then the lower token id, so the result depends only on the logits. A hypothesis
 * that two next beams extend is {@link Decoder#fork forked}: k caches live at a time, and each step costs k cached
 * decoder steps.
 */
final class BeamSearch {
  private BeamSearch() {}

  /** A live hypothesis: its own decoder (after all its tokens but the last), tokens and sum of log-probs. */
  private record Beam(Decoder decoder, int[] tokens, double logp) {}

  /** A finished hypothesis and its length-normalized score. */
  private record Finished(int[] tokens, boolean eos, double score) {}

  /** A next token for a beam: the beam's index, the token, and the sum of log-probs with it. */
  private record Candidate(int beam, int token, double logp) {}

  private static final Comparator<Candidate> BEST_FIRST = Comparator.comparingDouble(Candidate::logp).reversed()
      .thenComparingInt(Candidate::beam).thenComparingInt(Candidate::token);

  /**
   * The best of {@code k} beams over at most {@code limit} new tokens after the prompt the decoder has just been
   * prefilled with, whose next-token logits are {@code first}, never repeating an n-gram of size
   * {@code noRepeatNgram} within a hypothesis (0: off). Closes the decoder.
   */
  static Generator.Output search(Decoder decoder, float[] first, int k, int limit, Set<Integer> eosIds,
      Generator.StopCondition stopAfter, int noRepeatNgram) {
    List<Finished> finished = new ArrayList<>();
    List<Beam> beams = new ArrayList<>(List.of(new Beam(decoder, new int[0], 0)));
    List<float[]> logits = new ArrayList<>(List.of(first));
    try {
      while (!beams.isEmpty() && finished.size() < k) {
        List<Candidate> candidates = new ArrayList<>();
        for (int b = 0; b < beams.size(); b++) {
          int[] seq = beams.get(b).tokens();
          NoRepeatNgram.ban(logits.get(b), seq, seq.length, noRepeatNgram);
          double[] logp = logSoftmax(logits.get(b));
          for (int token : topTokens(logp, 2 * k)) {
            if (logp[token] == Double.NEGATIVE_INFINITY) {
              break; // banned, and so is everything after it
            }
            candidates.add(new Candidate(b, token, beams.get(b).logp() + logp[token]));
          }
        }
        candidates.sort(BEST_FIRST);
        List<Candidate> next = new ArrayList<>();
        for (int rank = 0; rank < candidates.size() && next.size() < k && finished.size() < k; rank++) {
          Candidate c = candidates.get(rank);
          int[] parent = beams.get(c.beam()).tokens();
          if (eosIds.contains(c.token())) {
            if (rank < k) { // HF keeps an ending among the top k only
              finished.add(new Finished(parent, true, c.logp() / Math.max(1, parent.length)));
            }
            continue;
          }
          int[] tokens = Arrays.copyOf(parent, parent.length + 1);
          tokens[parent.length] = c.token();
          if (stopAfter.stop(tokens, tokens.length) || tokens.length == limit) {
            finished.add(new Finished(tokens, false, c.logp() / tokens.length));
          } else {
            next.add(c);
          }
        }
        List<Beam> kept = new ArrayList<>();
        boolean[] claimed = new boolean[beams.size()];
        for (Candidate c : next) { // fork every parent before any of them steps
          Beam parent = beams.get(c.beam());
          Decoder d = claimed[c.beam()] ? parent.decoder().fork() : parent.decoder();
          claimed[c.beam()] = true;
          int[] tokens = Arrays.copyOf(parent.tokens(), parent.tokens().length + 1);
          tokens[tokens.length - 1] = c.token();
          kept.add(new Beam(d, tokens, c.logp()));
        }
        for (int b = 0; b < beams.size(); b++) {
          if (!claimed[b]) {
            beams.get(b).decoder().close();
          }
        }
        beams = kept;
        logits = new ArrayList<>();
        if (finished.size() < k) {
          for (Beam beam : beams) {
            logits.add(beam.decoder().step(beam.tokens()[beam.tokens().length - 1]));
          }
        }
      }
    } finally {
      for (Beam beam : beams) {
        beam.decoder().close();
      }
    }
    if (finished.isEmpty()) { // every continuation banned or an ending ranked below the top k: nothing to say
      return new Generator.Output(new int[0], false);
    }
    Finished best = finished.get(0);
    for (Finished f : finished) {
      if (f.score() > best.score()) {
        best = f;
      }
    }
    return new Generator.Output(best.tokens(), best.eos());
  }

  /** log softmax(z), in double. */
  static double[] logSoftmax(float[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (float x : z) {
      max = Math.max(max, x);
    }
    double sum = 0;
    for (float x : z) {
      sum += Math.exp(x - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      out[i] = z[i] - log;
    }
    return out;
  }

  /** The n highest entries' indices, highest first, ties by lower index: a partial selection, O(V n). */
  static int[] topTokens(double[] logp, int n) {
    n = Math.min(n, logp.length);
    int[] top = new int[n];
    int size = 0;
    for (int i = 0; i < logp.length; i++) {
      if (size == n && logp[i] <= logp[top[n - 1]]) {
        continue; // not better than the worst kept; equal loses to the lower index already kept
      }
      int j = size < n ? size++ : n - 1;
      while (j > 0 && logp[top[j - 1]] < logp[i]) {
        top[j] = top[j - 1];
        j--;
      }
      top[j] = i;
    }
    return top;
  }
}
