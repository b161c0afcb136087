package org.fspo.eval.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.fspo.eval.judge.JudgeItem;
import org.fspo.eval.judge.Judgment;
import org.fspo.eval.judge.SampleRater;
import org.fspo.eval.metrics.SampleRating;

/**
 * One held-out question as report.md shows it: the user's description, the question, and every method's generated
 * response (the win-rate baseline's last) with its utility on the user's scale. report.json's {@code samples}.
 *
 * @param userId          the held-out user
 * @param pairId          the query pair
 * @param shots           context pairs the methods saw (the baseline: its own, 0 for population)
 * @param userDescription the user's description, or null
 * @param question        the question answered
 * @param minUtility      least possible utility for this user and question, or null without latent utility
 * @param maxUtility      most possible utility, or null
 * @param responses       one per method
 */
public record ShownSample(
    @JsonProperty("user_id") String userId,
    @JsonProperty("pair_id") String pairId,
    @JsonProperty("shots") int shots,
    @JsonProperty("user_description") String userDescription,
    @JsonProperty("question") String question,
    @JsonProperty("min_utility") Double minUtility,
    @JsonProperty("max_utility") Double maxUtility,
    @JsonProperty("responses") List<Response> responses) {

  /** A method's response; utility and well_formed are null without latent utility. */
  public record Response(
      @JsonProperty("method") String method,
      @JsonProperty("text") String text,
      @JsonProperty("utility") Double utility,
      @JsonProperty("well_formed") Boolean wellFormed) {}

  /**
   * The first query of each of the first {@code users} users (by user id) at the largest judged shot count.
   *
   * @param rater null without latent utility (then no utilities are shown)
   */
  public static List<ShownSample> pick(List<Judgment> judgments, String baseline, SampleRater rater, int users) {
    int top = judgments.stream().mapToInt(j -> j.item().shots()).max().orElse(-1);
    Map<String, List<JudgeItem>> firstQuery = new TreeMap<>(); // user -> items of its first query at top shots
    for (Judgment j : judgments) {
      JudgeItem i = j.item();
      if (i.shots() != top) {
        continue;
      }
      List<JudgeItem> items = firstQuery.computeIfAbsent(i.userId(), k -> new ArrayList<>());
      if (items.isEmpty() || items.get(0).pairId().equals(i.pairId())) {
        items.add(i);
      }
    }
    List<ShownSample> out = new ArrayList<>();
    for (List<JudgeItem> items : firstQuery.values()) {
      if (out.size() == users) {
        break;
      }
      JudgeItem first = items.get(0);
      Map<String, String> texts = new LinkedHashMap<>();
      items.forEach(i -> texts.put(i.method(), i.modelOutput()));
      texts.put(baseline, first.baselineOutput());
      List<Response> responses = new ArrayList<>();
      SampleRating scale = null;
      for (Map.Entry<String, String> e : texts.entrySet()) {
        SampleRating r = rater == null ? null : rater.rate(first.userId(), e.getValue());
        scale = r;
        responses.add(new Response(e.getKey(), e.getValue(), r == null ? null : r.utility(),
            r == null ? null : r.wellFormed()));
      }
      out.add(new ShownSample(first.userId(), first.pairId(), top, first.userDescription(), first.instruction(),
          scale == null ? null : scale.minUtility(), scale == null ? null : scale.maxUtility(), responses));
    }
    return out;
  }
}
