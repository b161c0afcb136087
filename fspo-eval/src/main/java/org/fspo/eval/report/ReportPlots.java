package org.fspo.eval.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.fspo.eval.metrics.AccuracyCell;
import org.fspo.eval.metrics.WinRateCell;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's PNGs, drawn with XChart (headless): reward accuracy against shots with a 95% CI band per method,
 * win-rate bars per method and shot count, and training curves (loss, rewards/accuracies, rewards/margins against
 * the step) stacked in one image. The x axis of the accuracy plot is the shot count itself (linear), so the
 * spacing of 0, 1, 2, 4, 8 is honest.
 */
public final class ReportPlots {
  public static final String ACCURACY_PNG = "accuracy_vs_shots.png";
  public static final String WIN_RATE_PNG = "win_rate.png";
  public static final String TRAINING_PNG = "training_curves.png";

  private static final int WIDTH = 900, HEIGHT = 560, PANEL_HEIGHT = 300;
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 18);
  private static final Font AXIS = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
  private static final Font TICKS = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 14);

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private ReportPlots() {}

  public static void accuracyVsShots(Map<String, Map<String, AccuracyCell>> table, Path png) {
    List<Integer> shots = shotAxis(table);
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Reward accuracy vs shots on held-out users (band: 95% CI over users)")
        .xAxisTitle("Shots (preference pairs of the user in the prompt)").yAxisTitle("Reward accuracy").build();
    style(chart);
    double xMax = shots.get(shots.size() - 1) + 0.3;
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setXAxisMin(-0.3).setXAxisMax(xMax);
    chart.getStyler().setXAxisDecimalPattern("#");
    chart.getStyler().setyAxisTickLabelsFormattingFunction(y -> String.format("%.0f%%", 100 * y));
    XYSeries chance = chart.addSeries("chance (50%)", new double[] {-0.3, xMax}, new double[] {0.5, 0.5});
    chance.setMarker(SeriesMarkers.NONE);
    chance.setLineColor(Color.GRAY);
    chance.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 6f}, 0f));
    // all bands first, then all lines: XChart paints in insertion order, so no band covers another method's line
    table.forEach((method, cells) -> {
      Color color = MethodColors.of(method);
      List<double[]> pts = points(cells);
      int n = pts.size();
      double[] bandX = new double[2 * n], bandY = new double[2 * n];
      for (int i = 0; i < n; i++) {
        bandX[i] = pts.get(i)[0];
        bandY[i] = pts.get(i)[2];
        bandX[2 * n - 1 - i] = pts.get(i)[0];
        bandY[2 * n - 1 - i] = pts.get(i)[3];
      }
      XYSeries band = chart.addSeries(method + " 95% CI", bandX, bandY);
      band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
      band.setMarker(SeriesMarkers.NONE);
      band.setFillColor(MethodColors.translucent(color, 45));
      band.setLineColor(MethodColors.translucent(color, 90));
      band.setShowInLegend(false);
    });
    table.forEach((method, cells) -> {
      Color color = MethodColors.of(method);
      List<double[]> pts = points(cells);
      XYSeries line = chart.addSeries(method, pts.stream().mapToDouble(p -> p[0]).toArray(),
          pts.stream().mapToDouble(p -> p[1]).toArray());
      line.setMarker(SeriesMarkers.CIRCLE);
      line.setMarkerColor(color);
      line.setLineColor(color);
      line.setLineStyle(new BasicStroke(2.5f));
    });
    save(chart, png);
  }

  public static void winRateBars(Map<String, Map<String, WinRateCell>> table, String baseline, Path png) {
    List<Integer> shots = shotAxis(table);
    List<String> categories = shots.stream().map(s -> s + (s == 1 ? " shot" : " shots")).toList();
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Win rate vs " + baseline + " on held-out users (ties count 1/2)")
        .xAxisTitle("Shots (preference pairs of the user in the prompt)").yAxisTitle("Win rate (%)").build();
    style(chart);
    chart.getStyler().setLabelsVisible(true).setLabelsFont(TICKS).setLabelsPosition(1.0);
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0).setYAxisDecimalPattern("#");
    table.forEach((method, cells) -> {
      List<Double> rates = new ArrayList<>();
      for (Integer s : shots) {
        WinRateCell c = cells.get(Integer.toString(s));
        rates.add(c == null || c.winRate() == null ? 0.0 : 100 * c.winRate()); // percent: bar labels read 73, not 0.73
      }
      CategorySeries bars = chart.addSeries(method, categories, rates);
      bars.setFillColor(MethodColors.of(method));
    });
    save(chart, png);
  }

  /**
   * Stacks one panel per (log, metric) into one PNG: for each log (e.g. "sft", then "fspo"), its loss, then
   * rewards/accuracies and rewards/margins where the log has them. Panels are separate because the SFT loss (an NLL)
   * and the IPO loss ((h - 1/(2 beta))^2) live on unrelated scales.
   */
  public static void trainingCurves(List<Map<String, TrainingCurve>> logs, Path png) {
    String[][] metrics = {
        {TrainingCurve.LOSS, "loss", "loss"},
        {TrainingCurve.ACCURACIES, "rewards/accuracies (fraction of pairs with chosen reward > rejected)", "accuracy"},
        {TrainingCurve.MARGINS, "rewards/margins (chosen reward - rejected reward)", "margin"}};
    List<BufferedImage> images = new ArrayList<>();
    int index = 0;
    for (Map<String, TrainingCurve> log : logs) {
      for (String[] metric : metrics) {
        TrainingCurve curve = log.get(metric[0]);
        if (curve == null || curve.steps().length == 0) {
          continue;
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT)
            .title(curve.label() + ": " + metric[1]).xAxisTitle("Optimizer step").yAxisTitle(metric[2]).build();
        style(chart);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisDecimalPattern("#").setYAxisDecimalPattern("0.0##");
        chart.getStyler().setXAxisTickMarkSpacingHint(90).setYAxisTickMarkSpacingHint(45);
        XYSeries s = chart.addSeries(curve.label() + " " + metric[0], curve.steps(), curve.values());
        s.setMarker(curve.steps().length <= 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setMarkerColor(MethodColors.of(index));
        s.setLineColor(MethodColors.of(index));
        s.setLineStyle(new BasicStroke(2f));
        images.add(BitmapEncoder.getBufferedImage(chart));
      }
      index++;
    }
    if (images.isEmpty()) {
      throw new IllegalArgumentException("no loss, rewards/accuracies or rewards/margins in the metrics logs");
    }
    BufferedImage out = new BufferedImage(WIDTH, images.size() * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    for (int i = 0; i < images.size(); i++) {
      g.drawImage(images.get(i), 0, i * PANEL_HEIGHT, null);
    }
    g.dispose();
    write(out, png);
  }

  /** {shots, accuracy, ci_low, ci_high} per shot count of one method. */
  private static List<double[]> points(Map<String, AccuracyCell> cells) {
    List<double[]> pts = new ArrayList<>();
    cells.forEach((s, c) -> pts.add(new double[] {Integer.parseInt(s), c.accuracy(), c.ciLow(), c.ciHigh()}));
    return pts;
  }

  private static <C> List<Integer> shotAxis(Map<String, Map<String, C>> table) {
    TreeSet<Integer> shots = new TreeSet<>();
    table.values().forEach(cells -> cells.keySet().forEach(s -> shots.add(Integer.parseInt(s))));
    return List.copyOf(shots);
  }

  private static void style(Chart<?, ?> chart) {
    Styler styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE).setChartTitleFont(TITLE)
        .setLegendFont(LEGEND).setLegendPosition(Styler.LegendPosition.OutsideE).setAntiAlias(true)
        .setPlotBorderVisible(true);
    if (styler instanceof org.knowm.xchart.style.AxesChartStyler axes) {
      axes.setAxisTitleFont(AXIS).setAxisTickLabelsFont(TICKS).setPlotGridLinesColor(new Color(225, 225, 225));
    }
  }

  private static void save(Chart<?, ?> chart, Path png) {
    write(BitmapEncoder.getBufferedImage(chart), png);
  }

  private static void write(BufferedImage image, Path png) {
    try {
      Files.createDirectories(png.toAbsolutePath().getParent());
      ImageIO.write(image, "png", png.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png, e);
    }
  }
}
