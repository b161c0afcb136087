package org.fspo.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportJsonTest {
  @TempDir Path dir;

  @Test
  void writesTheContractKeysAndReadsBackEqual() throws Exception {
    Report report = SampleReports.report();
    Path file = dir.resolve("report.json");
    ReportJson.write(report, file);

    JsonNode json = new ObjectMapper().readTree(file.toFile());
    JsonNode cell = json.path("reward_accuracy").path("fspo").path("4");
    for (String key : List.of("accuracy", "ci_low", "ci_high", "mean_margin", "n_pairs", "n_users",
        "balanced_accuracy", "n_patterns")) {
      assertTrue(cell.has(key), "reward_accuracy.fspo.4 lacks " + key);
    }
    assertEquals(8, cell.size());
    assertEquals(2, cell.path("n_patterns").asInt());
    JsonNode quality = json.path("sample_quality").path("fspo").path("4");
    assertEquals(0.75, quality.path("well_formed_rate").asDouble(), 1e-12); // 3 of 4 samples
    assertEquals(1.5, quality.path("mean_utility").asDouble(), 1e-12);
    assertEquals(-2.0, quality.path("mean_min_utility").asDouble(), 1e-12);
    assertEquals(2.0, quality.path("mean_max_utility").asDouble(), 1e-12);
    assertEquals(0.875, quality.path("mean_scaled_utility").asDouble(), 1e-12); // (1.5 + 2) / 4
    assertEquals("prefers long answers.", json.path("samples").path(0).path("user_description").asText());
    assertEquals(240, json.path("prompt_fit").path("fspo").path("8").path("n").asInt());
    assertEquals(0, json.path("prompt_fit").path("fspo").path("8").path("n_lost_shots").asInt());
    assertEquals(List.of("fspo", "fspo_cot", "pref_ft", "population", "oracle"),
        iterate(json.path("reward_accuracy").fieldNames()));
    assertEquals(List.of("0", "1", "2", "4", "8"), iterate(json.path("reward_accuracy").path("oracle").fieldNames()));
    JsonNode win = json.path("win_rate").path("fspo").path("8");
    for (String key : List.of("win_rate", "ci_low", "ci_high", "n", "n_dropped", "n_users", "weighted_win_rate",
        "avg_length_model", "avg_length_baseline")) {
      assertTrue(win.has(key), "win_rate.fspo.8 lacks " + key);
    }
    assertTrue(win.get("weighted_win_rate").isNull());
    assertEquals(1.0, json.path("utility_sanity").path("accuracy").asDouble());
    assertEquals(240, cell.path("n_pairs").asInt());
    assertEquals(4, json.path("win_rate_generate").path("num_beams").asInt()); // how the judged samples were decoded
    assertEquals(96, json.path("win_rate_generate").path("max_tokens").asInt());

    assertEquals(report, ReportJson.read(file));
    String first = Files.readString(file);
    ReportJson.write(ReportJson.read(file), file);
    assertEquals(first, Files.readString(file)); // byte-identical round trip
  }

  @Test
  void aBrokenFileIsAOneLineUserError() throws Exception {
    Path file = dir.resolve("report.json");
    Files.writeString(file, "{\"schema_version\": 1, \"surprise\": true}");
    FspoUserException e = assertThrows(FspoUserException.class, () -> ReportJson.read(file));
    assertTrue(e.getMessage().startsWith(file + ": not a valid report.json"), e.getMessage());
    assertEquals(FspoUserException.NO_INPUT,
        assertThrows(FspoUserException.class, () -> ReportJson.read(dir.resolve("nope.json"))).exitCode());
  }

  static List<String> iterate(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
