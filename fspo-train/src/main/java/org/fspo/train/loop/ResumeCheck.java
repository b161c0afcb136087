package org.fspo.train.loop;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fspo.core.FspoUserException;
import org.fspo.core.config.ConfigLoader;

/**
 * What {@code --resume} may continue: the run's own training config. RUN_DIR/config.yaml records the config of the
 * whole run, so a resumed process with another config would train part of the run under values the record does not
 * show (issue 14 §4: {@code --set train.fspo.lr=0.05} on resume mixed two learning rates under one config.yaml).
 * config.yaml is therefore never rewritten on resume, and a changed key is refused unless it is in
 * {@link #SAFE_TO_CHANGE}: keys that change neither the weights nor the metrics rows, only when checkpoints are
 * written and how many are kept. The list is kept short on purpose; total steps or epochs are not on it, because
 * they move the learning-rate schedule's end (linear and cosine decay) and the record would claim one length.
 * The pipeline reuses a finished run only under the same rule ({@link #requireReusable}).
 */
public final class ResumeCheck {
  /** Keys a resumed run may change (conf/train.yaml and docs/train.md say the same). */
  static final Set<String> SAFE_TO_CHANGE = Set.of("train.checkpoint.every_steps", "train.checkpoint.keep_last",
      "train.activation_checkpointing"); // recomputation gives bit-identical gradients (MemoryPathsTest)

  private ResumeCheck() {}

  /**
   * Refuses, with one line and exit 78, a resume whose config differs from RUN_DIR/config.yaml in a key outside
   * {@link #SAFE_TO_CHANGE}. A folder without config.yaml has no recorded config to compare (a run that never got
   * past its start, or a folder that is not a run; refusing the latter is the run-folder check's job).
   */
  static void requireSameConfig(RunLayout run, TrainConfig config) {
    List<String> changed = unsafeChanges(run, config);
    if (changed.isEmpty()) return;
    throw new FspoUserException(run.config() + ": --resume with a changed training config: "
        + String.join(", ", changed) + "; resume with the run's own config (drop the --set or the edit) or train "
        + "into a new --out folder (only " + String.join(" and ", SAFE_TO_CHANGE.stream().sorted().toList())
        + " may change on resume)", FspoUserException.CONFIG);
  }

  /**
   * Refuses, with one line and exit 78, to reuse the finished run in {@code dir} in place of one trained with
   * {@code config}: a pipeline re-run after a config change (or a new release's method definition) would otherwise
   * score the old run as the new one.
   */
  public static void requireReusable(Path dir, TrainConfig config) {
    RunLayout run = new RunLayout(dir);
    List<String> changed = unsafeChanges(run, config);
    if (changed.isEmpty()) return;
    throw new FspoUserException(run.config() + ": this finished run was trained with another config than the one "
        + "it would be trained with now: " + String.join(", ", changed) + "; delete " + dir + " to retrain it, or "
        + "write the pipeline to a new --out folder", FspoUserException.CONFIG);
  }

  /** The changed keys outside {@link #SAFE_TO_CHANGE}; none for a folder without config.yaml. */
  private static List<String> unsafeChanges(RunLayout run, TrainConfig config) {
    if (!Files.isRegularFile(run.config())) return List.of();
    List<String> changed = changedKeys(TrainConfig.load(run.config(), List.of()), config);
    changed.removeIf(c -> SAFE_TO_CHANGE.contains(c.substring(0, c.indexOf(' '))));
    return changed;
  }

  /** Every leaf key whose value differs, as {@code "train.fspo.lr 1.0E-4 -> 0.05"}, in the config's key order. */
  static List<String> changedKeys(TrainConfig before, TrainConfig after) {
    List<String> out = new ArrayList<>();
    diff("", tree(before), tree(after), out);
    return out;
  }

  private static JsonNode tree(TrainConfig c) {
    return ConfigLoader.yaml().valueToTree(Map.of("train", c));
  }

  private static void diff(String prefix, JsonNode a, JsonNode b, List<String> out) {
    if (a.isObject() && b.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        diff(prefix + e.getKey() + ".", e.getValue(), b.path(e.getKey()), out);
      }
      return;
    }
    if (!a.equals(b)) out.add(prefix.substring(0, prefix.length() - 1) + " " + text(a) + " -> " + text(b));
  }

  private static String text(JsonNode n) {
    return n.isMissingNode() ? "(absent)" : n.isValueNode() ? n.asText() : n.toString();
  }
}
