package org.fspo.eval.scoring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.FewShotPrompt;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.core.prompt.RenderedPair;
import org.fspo.eval.metrics.PairScore;
import org.fspo.train.data.Truncation;

/**
 * Scores eval episodes for one method in a single process: renders each episode as the method sees it
 * ({@link MethodSpec}), runs policy and reference over batches of rendered pairs, and returns one {@link PairScore}
 * per episode. Renders that are identical across shot counts (population's 0-shot prompt) are scored once. A prompt
 * too long for max_seq_len loses its last shots first, as in training ({@link #fit}).
 */
public final class RewardScorer {
  private final int batchPairs;

  /** @param batchPairs rendered pairs per forward batch (each pair is two sequences) */
  public RewardScorer(int batchPairs) {
    if (batchPairs < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchPairs);
    }
    this.batchPairs = batchPairs;
  }

  public List<PairScore> score(MethodSpec spec, List<EvalEpisode> episodes, PairLogprobs policy,
      PairLogprobs reference, DescriptionWriter writer) {
    List<Fitted> fitted = new ArrayList<>(episodes.size());
    List<RenderedPair> rendered = new ArrayList<>(episodes.size());
    for (EvalEpisode e : episodes) {
      Fitted f = fit(spec, e.episode(), writer, policy);
      fitted.add(f);
      rendered.add(f.pair());
    }
    Map<RenderedPair, double[]> unique = new HashMap<>(); // {policy chosen, policy rejected, ref chosen, ref rejected}
    List<RenderedPair> todo = rendered.stream().distinct().toList();
    for (int from = 0; from < todo.size(); from += batchPairs) {
      List<RenderedPair> batch = todo.subList(from, Math.min(todo.size(), from + batchPairs));
      double[][] pi = policy.score(batch);
      double[][] ref = reference.score(batch);
      for (int i = 0; i < batch.size(); i++) {
        unique.put(batch.get(i), new double[] {pi[i][0], pi[i][1], ref[i][0], ref[i][1]});
      }
    }
    List<PairScore> out = new ArrayList<>(episodes.size());
    for (int i = 0; i < episodes.size(); i++) {
      PreferencePair q = episodes.get(i).episode().query();
      double[] s = unique.get(rendered.get(i));
      Fitted f = fitted.get(i);
      out.add(new PairScore(q.userId(), q.pairId(), q.domain(), spec.key(), episodes.get(i).shots(),
          s[0], s[1], s[2], s[3], spec.beta(), f.shotsDropped(), f.left().promptsCut() > 0,
          (int) f.left().responsesCut()));
    }
    return out;
  }

  /**
   * A pair rendered to fit: {@code shotsDropped} shots were dropped, and {@code left} is what the collator still
   * cuts (nothing unless no shot is left).
   */
  public record Fitted(RenderedPair pair, int shotsDropped, Truncation left) {}

  /**
   * The episode rendered as training fits it (PairCollator's rule 1): while the collator would cut anything, drop
   * the last shot. So both completions are scored whole after one shared prompt; only with no shot left may the
   * collator cut the prompt from the left (the same prompt for both) or a completion that alone nearly fills
   * max_seq_len. Truncation never looks at which completion is chosen, so swapping them swaps the scores exactly.
   */
  public static Fitted fit(MethodSpec spec, Episode episode, DescriptionWriter writer, PairLogprobs model) {
    List<PreferencePair> shots = spec.zeroShot() ? List.of() : episode.shots();
    int k = shots.size();
    RenderedPair r = render(spec, episode, writer);
    Truncation t = model.fit(r);
    while (t.any() && k > 0) {
      k--;
      r = render(spec, new Episode(episode.userId(), shots.subList(0, k), episode.query()), writer);
      t = model.fit(r);
    }
    return new Fitted(r, shots.size() - k, t);
  }

  /** The exact strings the method's models see for this episode. */
  public static RenderedPair render(MethodSpec spec, Episode episode, DescriptionWriter writer) {
    List<PreferencePair> shots = spec.zeroShot() ? List.of() : episode.shots();
    PreferencePair query = episode.query();
    if (spec.selfDescription()) {
      // ask as COT (the model writes "## User Description\n..." after the prompt), then teacher-force its answer
      String cotPrompt = FewShotPrompt.render(shots, query, new PromptFormat(
          spec.format().includeDispreferred(), true, false)).prompt();
      String description = writer.describe(cotPrompt);
      query = new PreferencePair(query.userId(), query.pairId(), query.prompt(), query.chosen(), query.rejected(),
          description, query.domain(), query.split(), query.provenance());
    }
    return FewShotPrompt.render(shots, query, spec.format());
  }
}
