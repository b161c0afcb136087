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

/**
 * Scores eval episodes for one method in a single process: renders each episode as the method sees it
 * ({@link MethodSpec}), runs policy and reference over batches of rendered pairs, and returns one {@link PairScore}
 * per episode. Renders that are identical across shot counts (population's 0-shot prompt) are scored once.
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
    List<RenderedPair> rendered = new ArrayList<>(episodes.size());
    for (EvalEpisode e : episodes) {
      rendered.add(render(spec, e.episode(), writer));
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
      out.add(new PairScore(q.userId(), q.pairId(), q.domain(), spec.key(), episodes.get(i).shots(),
          s[0], s[1], s[2], s[3], spec.beta()));
    }
    return out;
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
