package org.fspo.eval.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * What fitting the scored prompts into max_seq_len cost, for one method at one shot count: one leaf of report.json's
 * {@code prompt_fit}. Eval fits a pair as training does: it drops whole shots, the last first, until the prompt and
 * both completions fit uncut.
 *
 * @param n             pairs scored
 * @param nLostShots    pairs that lost at least one shot
 * @param shotsDropped  shots dropped, summed over pairs
 * @param nPromptCut    pairs whose prompt was still cut from the left with no shot left
 * @param nResponsesCut pairs with a completion cut (a completion alone nearly fills max_seq_len)
 */
public record PromptFitCell(
    @JsonProperty("n") int n,
    @JsonProperty("n_lost_shots") int nLostShots,
    @JsonProperty("shots_dropped") int shotsDropped,
    @JsonProperty("n_prompt_cut") int nPromptCut,
    @JsonProperty("n_responses_cut") int nResponsesCut) {

  /** method -> shots (string) -> cell. */
  public static Map<String, Map<String, PromptFitCell>> table(List<PairScore> scores) {
    return MethodShotGrid.build(scores, PairScore::method, PairScore::shots, PromptFitCell::of);
  }

  public static PromptFitCell of(List<PairScore> group) {
    int lost = 0, dropped = 0, promptCut = 0, responsesCut = 0;
    for (PairScore s : group) {
      lost += s.shotsDropped() > 0 ? 1 : 0;
      dropped += s.shotsDropped();
      promptCut += s.promptCut() ? 1 : 0;
      responsesCut += s.responsesCut() > 0 ? 1 : 0;
    }
    return new PromptFitCell(group.size(), lost, dropped, promptCut, responsesCut);
  }
}
