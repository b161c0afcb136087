package org.fspo.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Renders the sample report's plots into target/report-samples (kept, so a person can look at them). */
class ReportPlotsTest {
  static final Path OUT = Path.of("target", "report-samples");

  @Test
  void accuracyPlotDrawsEveryMethodInItsColor() throws Exception {
    Path png = OUT.resolve(ReportPlots.ACCURACY_PNG);
    ReportPlots.accuracyVsShots(SampleReports.report().rewardAccuracy(), png);
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(900, image.getWidth());
    for (String method : List.of("fspo", "pref_ft", "population", "oracle")) {
      assertTrue(countColor(image, MethodColors.of(method)) > 200, method + "'s line is missing");
    }
  }

  @Test
  void winRateBarsUseTheMethodColors() throws Exception {
    Path png = OUT.resolve(ReportPlots.WIN_RATE_PNG);
    ReportPlots.winRateBars(SampleReports.report().winRate(), "population", png);
    BufferedImage image = ImageIO.read(png.toFile());
    assertTrue(countColor(image, MethodColors.of("oracle")) > 1000);
    assertTrue(countColor(image, MethodColors.of("fspo_cot")) == 0); // not in the win-rate sample
  }

  @Test
  void trainingCurvesStackOnePanelPerMetric() throws Exception {
    Path jsonl = OUT.resolve("metrics.jsonl");
    Files.createDirectories(OUT);
    StringBuilder lines = new StringBuilder();
    for (int step = 1; step <= 60; step++) {
      lines.append(String.format("{\"step\": %d, \"loss\": %.4f, \"rewards/accuracies\": %.3f, \"rewards/margins\": %.4f,"
          + " \"lr\": 0.001}%n", step, 0.69 * Math.exp(-step / 40.0), 0.5 + 0.4 * (1 - Math.exp(-step / 20.0)),
          0.02 * step));
    }
    Files.writeString(jsonl, lines);
    Map<String, TrainingCurve> curves = TrainingCurve.read(jsonl, "fspo");
    assertEquals(List.of("loss", "rewards/accuracies", "rewards/margins", "lr"), List.copyOf(curves.keySet()));
    assertEquals(60, curves.get("loss").steps().length);
    Path sft = OUT.resolve("sft_metrics.jsonl");
    Files.writeString(sft, "{\"step\": 1, \"loss\": 3.2}\n{\"step\": 2, \"loss\": 2.9}\n{\"step\": 3, \"loss\": 2.7}\n");
    Path png = OUT.resolve(ReportPlots.TRAINING_PNG);
    ReportPlots.trainingCurves(List.of(TrainingCurve.read(sft, "sft"), curves), png);
    assertEquals(4 * 300, ImageIO.read(png.toFile()).getHeight()); // sft loss; fspo loss, accuracies, margins
  }

  @Test
  void aTrainerLogSplitsByStage() throws Exception {
    Files.createDirectories(OUT);
    Path jsonl = OUT.resolve("staged.jsonl");
    Files.writeString(jsonl, "{\"stage\":\"sft\",\"step\":1,\"loss\":3.0}\n{\"stage\":\"sft\",\"step\":2,\"loss\":2.5}\n"
        + "{\"stage\":\"fspo\",\"step\":1,\"loss\":2400,\"rewards/accuracies\":0.5}\n");
    Map<String, Map<String, TrainingCurve>> stages = TrainingCurve.readStages(jsonl, "fspo run");
    assertEquals(List.of("sft", "fspo"), List.copyOf(stages.keySet()));
    assertEquals("fspo run sft", stages.get("sft").get("loss").label());
    assertEquals(2, stages.get("sft").get("loss").steps().length);
    assertEquals(List.of("loss", "rewards/accuracies"), List.copyOf(stages.get("fspo").keySet()));
  }

  @Test
  void aMetricsLineThatIsNotJsonNamesFileAndLine() throws Exception {
    Files.createDirectories(OUT);
    Path bad = OUT.resolve("bad.jsonl");
    Files.writeString(bad, "{\"step\": 1, \"loss\": 1}\nnot json\n");
    var e = assertThrows(org.fspo.core.FspoUserException.class, () -> TrainingCurve.read(bad, "x"));
    assertEquals(bad + " line 2: not JSON; metrics files hold one object a line", e.getMessage());
  }

  static int countColor(BufferedImage image, Color color) {
    int count = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xFFFFFF) == (color.getRGB() & 0xFFFFFF)) {
          count++;
        }
      }
    }
    return count;
  }
}
