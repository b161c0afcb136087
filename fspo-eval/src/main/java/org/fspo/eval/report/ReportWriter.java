package org.fspo.eval.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fspo.eval.judge.Judgment;
import org.fspo.eval.judge.JudgmentsJsonl;
import org.fspo.eval.metrics.PairScore;

/**
 * Writes a report folder:
 *
 * <pre>
 * REPORT_DIR/
 *   report.json              the contract (see {@link Report})
 *   report.md                tables and the plots, for people
 *   accuracy_vs_shots.png    reward accuracy per method against shots, 95% CI bands
 *   win_rate.png             win rate per method and shot count (only when win rates were measured)
 *   training_curves.png      loss, rewards/accuracies, rewards/margins per step (only when metrics logs exist)
 *   pair_scores.parquet/     one row per (method, shots, pair): see {@link PairScoresParquet}
 *   judgments.jsonl          every judged comparison with its raw verdicts (only when win rates were measured)
 * </pre>
 */
public final class ReportWriter {
  private ReportWriter() {}

  /** Writes everything and returns the report with its file list filled in. */
  public static Report write(Path dir, Report report, List<PairScore> scores, List<Judgment> judgments,
      List<Map<String, TrainingCurve>> logs, SparkSession spark) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create report folder " + dir, e);
    }
    List<String> plots = new ArrayList<>();
    if (!report.rewardAccuracy().isEmpty()) {
      ReportPlots.accuracyVsShots(report.rewardAccuracy(), dir.resolve(ReportPlots.ACCURACY_PNG));
      plots.add(ReportPlots.ACCURACY_PNG);
    }
    if (!report.winRate().isEmpty()) {
      ReportPlots.winRateBars(report.winRate(), report.winRateBaseline(), dir.resolve(ReportPlots.WIN_RATE_PNG));
      plots.add(ReportPlots.WIN_RATE_PNG);
    }
    if (logs.stream().anyMatch(l -> !l.isEmpty())) {
      ReportPlots.trainingCurves(logs, dir.resolve(ReportPlots.TRAINING_PNG));
      plots.add(ReportPlots.TRAINING_PNG);
    }
    if (!judgments.isEmpty()) {
      JudgmentsJsonl.write(judgments, dir.resolve(JudgmentsJsonl.FILE_NAME));
    }
    String parquet = null;
    if (spark != null && !scores.isEmpty()) {
      PairScoresParquet.write(spark, scores, dir.resolve(PairScoresParquet.DIR_NAME).toString());
      parquet = PairScoresParquet.DIR_NAME;
    }
    Report done = report.withFiles(new Report.Files(ReportMarkdown.FILE_NAME, parquet, plots));
    try {
      Files.writeString(dir.resolve(ReportMarkdown.FILE_NAME), ReportMarkdown.render(done));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(ReportMarkdown.FILE_NAME), e);
    }
    ReportJson.write(done, dir.resolve(ReportJson.FILE_NAME));
    return done;
  }
}
