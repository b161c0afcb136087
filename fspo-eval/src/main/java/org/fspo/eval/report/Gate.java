package org.fspo.eval.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.eval.metrics.AccuracyCell;

/**
 * The promotion gate: a candidate report is promoted when its reward accuracy at (method, shots) is not below the
 * incumbent's at the same cell. Both reports must come from the same held-out set (scripts/cron-retrain.sh keeps it
 * fixed). Written as one line of JSON, gate.json, so a shell script can read it with grep:
 * {@code {"promote":true,"candidate":0.71,"incumbent":0.69,"method":"fspo","shots":4,"reason":"..."}}.
 *
 * @param promote   whether to promote
 * @param candidate the candidate's accuracy at the cell
 * @param incumbent the incumbent's accuracy there, or null when there is no incumbent yet
 * @param method    the deciding method
 * @param shots     the deciding shot count
 * @param reason    one sentence
 */
public record Gate(
    @JsonProperty("promote") boolean promote,
    @JsonProperty("candidate") double candidate,
    @JsonProperty("incumbent") Double incumbent,
    @JsonProperty("method") String method,
    @JsonProperty("shots") int shots,
    @JsonProperty("reason") String reason) {

  public static final String FILE_NAME = "gate.json";

  public static Gate decide(Report candidate, Report incumbent, String method, int shots) {
    double cand = accuracy(candidate, method, shots, "candidate");
    if (incumbent == null) {
      return new Gate(true, cand, null, method, shots, "no incumbent yet");
    }
    double inc = accuracy(incumbent, method, shots, "incumbent");
    boolean promote = cand >= inc;
    return new Gate(promote, cand, inc, method, shots, promote
        ? String.format("held-out accuracy %.4f is not worse than the incumbent's %.4f", cand, inc)
        : String.format("held-out accuracy %.4f is worse than the incumbent's %.4f", cand, inc));
  }

  private static double accuracy(Report report, String method, int shots, String which) {
    Map<String, AccuracyCell> cells = report.rewardAccuracy().get(method);
    AccuracyCell cell = cells == null ? null : cells.get(Integer.toString(shots));
    if (cell == null) {
      throw new FspoUserException("the " + which + " report has no reward_accuracy." + method + "." + shots
          + "; evaluate " + method + " at " + shots + " shots (eval.methods, eval.shots) or change eval.gate",
          FspoUserException.DATA);
    }
    return cell.accuracy();
  }

  public void write(Path dir) {
    try {
      Files.writeString(dir.resolve(FILE_NAME), new ObjectMapper().writeValueAsString(this) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the gate", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(FILE_NAME), e);
    }
  }
}
