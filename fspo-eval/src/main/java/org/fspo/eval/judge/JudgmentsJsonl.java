package org.fspo.eval.judge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * judgments.jsonl: one line per judged comparison, for audit: user_id, pair_id, domain, method, shots, instruction,
 * model_output, baseline_output, raw_model_first, raw_model_second, outcome, model_probability.
 */
public final class JudgmentsJsonl {
  public static final String FILE_NAME = "judgments.jsonl";

  private JudgmentsJsonl() {}

  public static void write(List<Judgment> judgments, Path file) {
    ObjectMapper json = new ObjectMapper();
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      for (Judgment j : judgments) {
        JudgeItem i = j.item();
        ObjectNode row = json.createObjectNode()
            .put("user_id", i.userId()).put("pair_id", i.pairId()).put("domain", i.domain())
            .put("method", i.method()).put("shots", i.shots()).put("instruction", i.instruction())
            .put("model_output", i.modelOutput()).put("baseline_output", i.baselineOutput())
            .put("raw_model_first", j.rawModelFirst()).put("raw_model_second", j.rawModelSecond())
            .put("outcome", j.outcome().name().toLowerCase(java.util.Locale.ROOT));
        if (j.modelProbability() == null) {
          row.putNull("model_probability");
        } else {
          row.put("model_probability", j.modelProbability());
        }
        out.write(json.writeValueAsString(row));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
