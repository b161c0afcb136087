package org.fspo.eval.report;

import java.util.Map;
import org.fspo.eval.metrics.AccuracyCell;
import org.fspo.eval.metrics.PromptFitCell;

/**
 * The report.md sections beyond the headline tables: balanced accuracy, how well-formed and how well matched the
 * generated samples are (with a few of them), and how many scored prompts had to lose shots to fit max_seq_len.
 */
final class QualityMarkdown {
  private QualityMarkdown() {}

  /** Balanced accuracy per method and shot count, or "" when the users have no sign patterns. */
  static String balanced(Report report) {
    boolean any = report.rewardAccuracy().values().stream()
        .anyMatch(cells -> cells.values().stream().anyMatch(c -> c.balancedAccuracy() != null));
    if (!any) {
      return "";
    }
    return "\nBalanced accuracy: the mean over the users' attribute sign patterns of each pattern's accuracy (a "
        + "0-shot model with a fixed bias sits at 0.5 on it); patterns in brackets.\n\n"
        + ReportMarkdown.table(report.rewardAccuracy(), (AccuracyCell c) -> c.balancedAccuracy() == null ? "n/a"
            : String.format("%.3f (%d)", c.balancedAccuracy(), c.nPatterns()));
  }

  /** Well-formed rate and utility on its scale per method, then the shown samples. */
  static String samples(Report report) {
    StringBuilder md = new StringBuilder();
    if (!report.sampleQuality().isEmpty()) {
      md.append("\n## Generated samples\n\nWell formed: the share of samples from which the procedural parser reads "
          + "a complete attribute vector.\n\n");
      md.append(ReportMarkdown.table(report.sampleQuality(), c -> String.format("%.3f", c.wellFormedRate())));
      md.append("\nMean utility of the samples for their users, on the scale [mean min, mean max] of the utility any "
          + "response to those questions can have; then the same placed on 0 (worst) .. 1 (best).\n\n");
      md.append(ReportMarkdown.table(report.sampleQuality(), c -> String.format("%.2f [%.2f, %.2f]; %.2f",
          c.meanUtility(), c.meanMinUtility(), c.meanMaxUtility(), c.meanScaledUtility())));
    }
    for (ShownSample s : report.samples()) {
      md.append("\n### ").append(s.userId()).append(", ").append(s.pairId()).append(" (")
          .append(s.shots()).append(s.shots() == 1 ? " shot)\n\n" : " shots)\n\n");
      md.append("- user: ").append(s.userDescription() == null ? "(no description)" : s.userDescription()).append('\n');
      md.append("- question: ").append(s.question()).append('\n');
      if (s.minUtility() != null) {
        md.append(String.format("- utility scale for this user: [%.2f, %.2f]%n", s.minUtility(), s.maxUtility()));
      }
      md.append('\n');
      for (ShownSample.Response r : s.responses()) {
        md.append("**").append(r.method()).append("**");
        if (r.utility() != null) {
          md.append(String.format(" (utility %.2f, %s)", r.utility(), r.wellFormed() ? "well formed" : "not well formed"));
        }
        md.append("\n\n```\n").append(r.text().replace("```", "'''")).append("\n```\n\n");
      }
    }
    return md.toString();
  }

  /** Scored prompts that lost shots or were cut, per method and shot count; "" when nothing was. */
  static String promptFit(Report report) {
    Map<String, Map<String, PromptFitCell>> fit = report.promptFit();
    boolean any = fit.values().stream().anyMatch(cells -> cells.values().stream()
        .anyMatch(c -> c.nLostShots() + c.nPromptCut() + c.nResponsesCut() > 0));
    if (!any) {
      return fit.isEmpty() ? "" : "\nEvery scored prompt fit max_seq_len with all its shots.\n";
    }
    return "\n## Prompts shortened to fit max_seq_len\n\nPairs that lost shots (shots dropped) / prompt cut with no "
        + "shot left / a completion cut, of n.\n\n"
        + ReportMarkdown.table(fit, c -> String.format("%d (%d) / %d / %d of %d", c.nLostShots(), c.shotsDropped(),
            c.nPromptCut(), c.nResponsesCut(), c.n()));
  }
}
