package org.fspo.eval.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.fspo.core.prompt.RenderedPair;
import org.fspo.eval.metrics.PairScore;
import org.junit.jupiter.api.Test;

public class RewardScorerTest {
  /** logp(completion) = -length(completion) - shots-in-prompt * weight; records every prompt it saw. */
  public static final class FakeModel implements PairLogprobs {
    final double weight;
    final List<String> prompts = new ArrayList<>();

    public FakeModel(double weight) {
      this.weight = weight;
    }

    @Override
    public double[][] score(List<RenderedPair> pairs) {
      double[][] out = new double[pairs.size()][];
      for (int i = 0; i < pairs.size(); i++) {
        RenderedPair p = pairs.get(i);
        prompts.add(p.prompt());
        double shots = p.prompt().split("# Example ", -1).length - 1;
        out[i] = new double[] {-p.chosen().length() - weight * shots, -p.rejected().length()};
      }
      return out;
    }
  }

  static List<EvalEpisode> episodes() {
    return new EvalEpisodes(List.of(0, 2, 4), 2, 1).plan(EvalEpisodesTest.store()).episodes();
  }

  @Test
  void rewardIsBetaTimesPolicyMinusReferenceOnTheSameRender() {
    FakeModel policy = new FakeModel(-1.0); // each shot raises logp(chosen) by 1
    FakeModel reference = new FakeModel(0.0);
    List<EvalEpisode> eps = episodes();
    List<PairScore> scores = new RewardScorer(3).score(MethodSpec.fspo(0.5), eps, policy, reference, null);
    assertEquals(eps.size(), scores.size());
    for (int i = 0; i < eps.size(); i++) {
      PairScore s = scores.get(i);
      assertEquals(eps.get(i).episode().query().pairId(), s.pairId());
      assertEquals(eps.get(i).shots(), s.shots());
      assertEquals(0.5 * eps.get(i).shots(), s.rewardChosen(), 1e-12); // 0.5 * (shots) from the fake
      assertEquals(0.0, s.rewardRejected(), 1e-12);
      assertEquals("fspo", s.method());
    }
  }

  @Test
  void everyMethodIsScoredInThePromptFormatItsRunTrainedOn() {
    List<EvalEpisode> eps = episodes().stream().filter(e -> e.shots() == 2).toList();
    DescriptionWriter writer = prompt -> "prefers short answers.";
    for (String method : List.of("fspo", "fspo_cot", "pref_ft")) {
      for (boolean dispreferred : List.of(true, false)) {
        FakeModel policy = new FakeModel(0);
        new RewardScorer(4).score(MethodSpec.of(method, 0.1, dispreferred), eps, policy, new FakeModel(0), writer);
        for (String prompt : policy.prompts) {
          assertTrue(prompt.contains("# Example 2\n"), method + ": two shots in " + prompt);
          assertEquals(dispreferred, prompt.contains("## Dispreferred Response \n"), method + ": " + prompt);
          assertEquals(!dispreferred, prompt.contains("## Response \n"), method + ": " + prompt);
        }
      }
    }
  }

  @Test
  void populationSeesZeroShotsAtEveryCountAndIsScoredOnce() {
    FakeModel policy = new FakeModel(-1.0);
    List<EvalEpisode> eps = episodes();
    List<PairScore> scores = new RewardScorer(4).score(MethodSpec.population(0.1), eps, policy, new FakeModel(0), null);
    assertTrue(policy.prompts.stream().noneMatch(p -> p.contains("# Example")));
    assertEquals(eps.size() / 3, policy.prompts.size()); // 3 shot counts share one 0-shot render per query
    assertEquals(List.of(0, 2, 4), scores.subList(0, 3).stream().map(PairScore::shots).toList());
    assertEquals(scores.get(0).margin(), scores.get(2).margin(), 0.0);
  }

  @Test
  void oracleSeesTheTrueDescriptionAndNoShotsAtEveryCount() {
    FakeModel policy = new FakeModel(-1.0);
    List<EvalEpisode> eps = episodes();
    List<PairScore> scores = new RewardScorer(4).score(MethodSpec.oracle(0.1), eps, policy, new FakeModel(0), null);
    assertEquals(eps.size() / 3, policy.prompts.size()); // one description-only render per query
    for (String prompt : policy.prompts) {
      assertTrue(!prompt.contains("# Example") && prompt.contains("# Task\nGenerate a response to the following "
          + "question.") && prompt.endsWith("## User Description\ndesc\n"), prompt);
    }
    assertEquals(List.of(0, 2, 4), scores.subList(0, 3).stream().map(PairScore::shots).toList());
    assertEquals(scores.get(0).margin(), scores.get(2).margin(), 0.0);
  }

  @Test
  void cotIsScoredAfterItsOwnDescription() {
    FakeModel policy = new FakeModel(0);
    List<String> asked = new ArrayList<>();
    DescriptionWriter writer = prompt -> {
      asked.add(prompt);
      return "likes cats";
    };
    new RewardScorer(8).score(MethodSpec.fspoCot(0.1), episodes().subList(0, 3), policy, new FakeModel(0), writer);
    // episodes 0, 1, 2 have 0, 2, 4 shots: with no shots the task line is the plain zero-shot one (shots_to_text)
    assertTrue(asked.get(0).contains("# Task\nGenerate a response to the following question."), asked.get(0));
    assertTrue(asked.get(1).contains("Generate a user description based on the examples above."), asked.get(1));
    assertTrue(policy.prompts.get(0).endsWith("## User Description\nlikes cats\n"), policy.prompts.get(0));
  }
}
