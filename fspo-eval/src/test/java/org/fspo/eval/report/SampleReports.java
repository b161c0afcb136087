package org.fspo.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.fspo.eval.metrics.AccuracyCell;
import org.fspo.eval.metrics.BootstrapCi;
import org.fspo.eval.metrics.Outcome;
import org.fspo.eval.metrics.PairOutcome;
import org.fspo.eval.metrics.PairScore;
import org.fspo.eval.metrics.PromptFitCell;
import org.fspo.eval.metrics.RewardAccuracy;
import org.fspo.eval.metrics.SampleQuality;
import org.fspo.eval.metrics.SampleRating;
import org.fspo.eval.metrics.SampleScore;
import org.fspo.eval.metrics.UtilitySanity;
import org.fspo.eval.metrics.WinRate;
import org.fspo.eval.metrics.WinRateCell;

/** A synthetic but plausible report: accuracy rising with shots for fspo, flat for population. Test data only. */
final class SampleReports {
  static final int[] SHOTS = {0, 1, 2, 4, 8};

  private SampleReports() {}

  static List<PairScore> scores() {
    SplittableRandom rng = new SplittableRandom(5);
    List<PairScore> scores = new ArrayList<>();
    String[] methods = {"fspo", "fspo_cot", "pref_ft", "population", "oracle"};
    for (int m = 0; m < methods.length; m++) {
      for (int shots : SHOTS) {
        double p = switch (methods[m]) {
          case "fspo" -> 0.52 + 0.04 * shots;
          case "fspo_cot" -> 0.50 + 0.035 * shots;
          case "pref_ft" -> 0.51 + 0.01 * shots;
          case "population" -> 0.55;
          default -> 0.9;
        };
        for (int u = 0; u < 24; u++) {
          for (int q = 0; q < 10; q++) {
            boolean correct = rng.nextDouble() < p;
            double margin = (correct ? 1 : -1) * rng.nextDouble();
            scores.add(new PairScore("u" + u, "p" + u + "-" + q, "procedural", methods[m], shots,
                -20 + margin, -20, -20, -20, 0.1));
          }
        }
      }
    }
    return scores;
  }

  static List<PairOutcome> outcomes() {
    SplittableRandom rng = new SplittableRandom(9);
    List<PairOutcome> out = new ArrayList<>();
    for (String method : List.of("fspo", "pref_ft", "oracle")) {
      for (int shots : new int[] {0, 4, 8}) {
        double p = method.equals("oracle") ? 0.85 : method.equals("fspo") ? 0.5 + 0.03 * shots : 0.5;
        for (int u = 0; u < 24; u++) {
          for (int q = 0; q < 5; q++) {
            double r = rng.nextDouble();
            Outcome o = r < 0.05 ? Outcome.INCONSISTENT : rng.nextDouble() < p ? Outcome.WIN : Outcome.LOSS;
            out.add(new PairOutcome("u" + u, "p" + q, "procedural", method, shots, o, null, 300, 280));
          }
        }
      }
    }
    return out;
  }

  /** Users u0, u2, ... prefer long answers, u1, u3, ... short ones. */
  static Map<String, String> patterns() {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (int u = 0; u < 24; u++) {
      out.put("u" + u, u % 2 == 0 ? "length:+" : "length:-");
    }
    return out;
  }

  static List<SampleScore> samples() {
    List<SampleScore> out = new ArrayList<>();
    for (String method : List.of("fspo", "population")) {
      for (int u = 0; u < 4; u++) {
        out.add(new SampleScore("u" + u, "p0", method, 4, new SampleRating(u != 3, method.equals("fspo") ? 1.5 : 0,
            -2, 2)));
      }
    }
    return out;
  }

  static List<ShownSample> shown() {
    return List.of(new ShownSample("u0", "p0", 4, "prefers long answers.", "How do I start baking?", -2.0, 2.0,
        List.of(new ShownSample.Response("fspo", "hey!\n- configure the bread parameters", 1.5, true),
            new ShownSample.Response("population", "matters matters most", 0.0, false))));
  }

  static Report report() {
    Map<String, Map<String, AccuracyCell>> acc = RewardAccuracy.table(scores(), BootstrapCi.DEFAULT, patterns());
    Map<String, Map<String, WinRateCell>> win = WinRate.table(outcomes(), BootstrapCi.DEFAULT, "utility");
    return new Report(Report.SCHEMA_VERSION, "runs/demo", "out/demo/store", "test", List.of(0, 1, 2, 4, 8),
        new Report.Bootstrap(1000, 0.95, 1234), acc, win, "population", new UtilitySanity(1.0, 240, 24),
        new Report.Files("report.md", "pair_scores.parquet",
            List.of(ReportPlots.ACCURACY_PNG, ReportPlots.WIN_RATE_PNG, ReportPlots.TRAINING_PNG)),
        SampleQuality.table(samples()), shown(), PromptFitCell.table(scores()),
        new org.fspo.eval.generate.SamplingConfig(0, 1, 96, 0, 4, 0));
  }
}
