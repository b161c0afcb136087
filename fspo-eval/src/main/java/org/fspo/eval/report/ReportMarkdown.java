package org.fspo.eval.report;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.fspo.eval.metrics.UtilitySanity;

/**
 * report.md: the numbers of report.json as tables a person reads (rows are methods, columns shot counts), plus the
 * plots. Every cell reads "value [ci_low, ci_high]" with n below in a second table.
 */
public final class ReportMarkdown {
  public static final String FILE_NAME = "report.md";

  private ReportMarkdown() {}

  /** "greedy" or "sampled at temperature T, top_p P", then beams, the n-gram ban, penalties, max_tokens and seed. */
  static String decoding(org.fspo.eval.generate.SamplingConfig g) {
    StringBuilder s = new StringBuilder(g.numBeams() > 1 ? "by beam search over " + g.numBeams() + " hypotheses"
        : g.temperature() == 0 ? "greedy" : String.format("sampled at temperature %s, top_p %s", g.temperature(),
            g.topP()));
    if (g.noRepeatNgramSize() > 0) {
      s.append(", no ").append(g.noRepeatNgramSize()).append("-gram repeated");
    }
    if (g.presencePenalty() != 0 || g.frequencyPenalty() != 0) {
      s.append(", presence penalty ").append(g.presencePenalty()).append(", frequency penalty ")
          .append(g.frequencyPenalty());
    }
    return s.append(", at most ").append(g.maxTokens()).append(" tokens, seed ").append(g.seed()).toString();
  }

  public static String render(Report report) {
    StringBuilder md = new StringBuilder("# FSPO evaluation report\n\n");
    md.append("- run: `").append(report.run()).append("`\n");
    md.append("- episodes: `").append(report.episodes()).append("` (split ").append(report.split()).append(")\n");
    md.append("- CIs: ").append(Math.round(report.bootstrap().level() * 100)).append("% percentile bootstrap over users, ")
        .append(report.bootstrap().resamples()).append(" resamples, seed ").append(report.bootstrap().seed()).append("\n");
    if (report.utilitySanity() != null) {
      UtilitySanity u = report.utilitySanity();
      md.append(String.format("- utility sanity: the procedural users' own utility agrees with %.1f%% of %d stored labels"
          + " (%d users); it must be 100%%%n", 100 * u.accuracy(), u.nPairs(), u.nUsers()));
    }
    if (!report.rewardAccuracy().isEmpty()) {
      md.append("\n## Reward accuracy vs shots\n\nAccuracy (strict: chosen reward > rejected reward) with its CI.\n\n");
      md.append(table(report.rewardAccuracy(), c -> String.format("%.3f [%.3f, %.3f]", c.accuracy(), c.ciLow(), c.ciHigh())));
      md.append("\nMean reward margin (chosen - rejected).\n\n");
      md.append(table(report.rewardAccuracy(), c -> String.format("%.4f", c.meanMargin())));
      md.append("\nPairs / users scored.\n\n");
      md.append(table(report.rewardAccuracy(), c -> c.nPairs() + " / " + c.nUsers()));
      md.append(QualityMarkdown.balanced(report));
      md.append(QualityMarkdown.promptFit(report));
    }
    if (!report.winRate().isEmpty()) {
      md.append("\n## Win rate vs ").append(report.winRateBaseline()).append("\n\n");
      md.append("Win rate (ties 1/2) over pairs judged consistently in both orders, with its CI.");
      if (report.winRateGenerate() != null) {
        md.append(" Responses decoded ").append(decoding(report.winRateGenerate())).append('.');
      }
      md.append("\n\n");
      md.append(table(report.winRate(), c -> c.winRate() == null ? "n/a"
          : String.format("%.3f [%.3f, %.3f]", c.winRate(), c.ciLow(), c.ciHigh())));
      md.append("\nn judged / dropped (inconsistent) / malformed; weighted win rate (logprobs); mean length model vs "
          + "baseline (chars).\n\n");
      md.append(table(report.winRate(), c -> String.format("%d / %d / %d; %s; %.0f vs %.0f", c.n(), c.nDropped(),
          c.nMalformed(), c.weightedWinRate() == null ? "n/a" : String.format("%.3f", c.weightedWinRate()),
          c.avgLengthModel(), c.avgLengthBaseline())));
    }
    md.append(QualityMarkdown.samples(report));
    if (report.files() != null && report.files().plots() != null) {
      md.append("\n## Plots\n\n");
      for (String plot : report.files().plots()) {
        md.append("![").append(plot).append("](").append(plot).append(")\n\n");
      }
    }
    if (report.files() != null && report.files().pairScores() != null) {
      md.append("Per-pair scores: `").append(report.files().pairScores()).append("` (Parquet).\n");
    }
    return md.toString();
  }

  /** The accuracy table alone, "0.812 [0.760, 0.860]" per cell: what the CLI prints at the end. */
  public static String accuracyTable(Report report) {
    return table(report.rewardAccuracy(), c -> String.format("%.3f [%.3f, %.3f]", c.accuracy(), c.ciLow(), c.ciHigh()));
  }

  static <C> String table(Map<String, Map<String, C>> grid, Function<C, String> format) {
    TreeSet<Integer> shots = new TreeSet<>();
    grid.values().forEach(cells -> cells.keySet().forEach(s -> shots.add(Integer.parseInt(s))));
    List<Integer> columns = List.copyOf(shots);
    StringBuilder t = new StringBuilder("| method |");
    columns.forEach(s -> t.append(' ').append(s).append(s == 1 ? " shot |" : " shots |"));
    t.append("\n|---|").append("---|".repeat(columns.size())).append('\n');
    grid.forEach((method, cells) -> {
      t.append("| ").append(method).append(" |");
      for (Integer s : columns) {
        C cell = cells.get(Integer.toString(s));
        t.append(' ').append(cell == null ? "" : format.apply(cell)).append(" |");
      }
      t.append('\n');
    });
    return t.toString();
  }
}
