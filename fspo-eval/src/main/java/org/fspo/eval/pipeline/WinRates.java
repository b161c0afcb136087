package org.fspo.eval.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.eval.generate.ResponseWriter;
import org.fspo.eval.judge.JudgeItem;
import org.fspo.eval.judge.Judgment;
import org.fspo.eval.scoring.EvalEpisode;

/**
 * Builds the comparisons behind the win rates: for every eval episode and every method other than the baseline, the
 * method's response and the baseline's response to the same query, judged by {@code judge} (the users' utility or
 * the LLM judge). Baseline responses are generated once per (query, shots seen by the baseline). It lives with the
 * pipeline, above generation, scoring and judging, because it joins the three.
 */
public final class WinRates {
  private WinRates() {}

  public static List<Judgment> judge(List<EvalEpisode> episodes, Map<String, ResponseWriter> methods,
      String baseline, ResponseWriter baselineWriter, boolean baselineZeroShot, Function<JudgeItem, Judgment> judge) {
    Map<String, String> baselineCache = new HashMap<>();
    List<Judgment> out = new ArrayList<>();
    for (EvalEpisode e : episodes) {
      Episode episode = e.episode();
      PreferencePair q = episode.query();
      String baseKey = q.userId() + "|" + q.pairId() + "|" + (baselineZeroShot ? 0 : e.shots());
      String base = baselineCache.computeIfAbsent(baseKey, k -> baselineWriter.respond(episode));
      methods.forEach((method, writer) -> {
        if (!method.equals(baseline)) {
          String response = writer.respond(episode);
          out.add(judge.apply(new JudgeItem(q.userId(), q.pairId(), q.domain(), method, e.shots(), q.prompt(),
              q.userDescription(), response, base)));
        }
      });
    }
    return out;
  }
}
