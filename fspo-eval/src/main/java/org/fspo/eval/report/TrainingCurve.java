package org.fspo.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;

/**
 * One metric of one training log against the step, read from the trainer's metrics JSONL (one JSON object per
 * step with TRL's metric names, e.g. {"step": 3, "loss": 0.69, "rewards/accuracies": 0.5, "rewards/margins": 0.01}).
 * A line without "step" takes its 1-based line number; lines without the metric are skipped; a line that is not
 * JSON is a user error naming the file and line.
 *
 * @param label  legend label, e.g. "fspo" or "sft"
 * @param metric the metric name
 * @param steps  x values
 * @param values y values
 */
public record TrainingCurve(String label, String metric, double[] steps, double[] values) {
  public static final String LOSS = "loss";
  public static final String ACCURACIES = "rewards/accuracies";
  public static final String MARGINS = "rewards/margins";

  /** Every numeric metric of the file, keyed by name, in first-seen order. */
  public static Map<String, TrainingCurve> read(Path jsonl, String label) {
    return readStages(jsonl, label).values().stream().findFirst().orElse(Map.of());
  }

  /**
   * The file split by its "stage" field (the trainer writes "sft" then "fspo" into one metrics.jsonl): stage to its
   * curves, labelled "{label} {stage}", in first-seen order. A file without stages is one entry labelled {label}.
   */
  public static Map<String, Map<String, TrainingCurve>> readStages(Path jsonl, String label) {
    Map<String, Map<String, List<double[]>>> byStage = new LinkedHashMap<>();
    ObjectMapper mapper = new ObjectMapper();
    try (BufferedReader in = Files.newBufferedReader(jsonl)) {
      String line;
      int lineNo = 0;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode row;
        try {
          row = mapper.readTree(line);
        } catch (IOException e) {
          throw new FspoUserException(jsonl + " line " + lineNo + ": not JSON; metrics files hold one object a line");
        }
        double step = row.path("step").isNumber() ? row.get("step").asDouble() : lineNo;
        String stage = row.path("stage").isTextual() ? row.get("stage").asText() : "";
        Map<String, List<double[]>> points = byStage.computeIfAbsent(stage, k -> new LinkedHashMap<>());
        row.fields().forEachRemaining(f -> {
          if (!f.getKey().equals("step") && f.getValue().isNumber()) {
            points.computeIfAbsent(f.getKey(), k -> new ArrayList<>()).add(new double[] {step, f.getValue().asDouble()});
          }
        });
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + jsonl, e);
    }
    Map<String, Map<String, TrainingCurve>> out = new LinkedHashMap<>();
    byStage.forEach((stage, points) -> {
      String name = stage.isEmpty() ? label : label + " " + stage;
      Map<String, TrainingCurve> curves = new LinkedHashMap<>();
      points.forEach((metric, xy) -> curves.put(metric, new TrainingCurve(name, metric,
          xy.stream().mapToDouble(p -> p[0]).toArray(), xy.stream().mapToDouble(p -> p[1]).toArray())));
      out.put(stage, curves);
    });
    return out;
  }
}
