package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.fspo.core.FspoUserException;
import org.fspo.train.checkpoint.Checkpoints;
import org.fspo.train.loss.MetricNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Resume that cannot misrecord a run (issue 14 §4), through TrainJob as {@code fspo train --resume} runs it: a
 * changed config is refused with the folder untouched; a torn last metrics row, an unreadable newest checkpoint, or
 * no readable stage-2 checkpoint at all are recovered from, and the run then ends with the same metrics rows and
 * weights as one that was never interrupted.
 */
class ResumeTest {
  static final String[] SETS = {"fspo.steps=4", "checkpoint.every_steps=1", "optim.grad_accum=2",
      "optim.batch_pairs=2"};
  @TempDir static Path shared;
  static Path whole;

  static TrainConfig config(String... more) {
    List<String> sets = new ArrayList<>(List.of(SETS));
    sets.addAll(List.of(more));
    return TinyRuns.config("gpt2", "ipo", sets.toArray(String[]::new));
  }

  /** Runs TrainJob; returns what it printed (the effective config, counts and warnings). */
  static String job(TrainConfig c, Path out, boolean resume, Trainer.StopHook stop) {
    StringWriter log = new StringWriter();
    TrainJob.run(c, TinyRuns.pairs(), out, null, new Trainer.Options(resume, false, stop), new PrintWriter(log));
    return log.toString();
  }

  static List<String> warnings(String log) {
    return log.lines().filter(l -> l.startsWith("warning: ")).toList();
  }

  @BeforeAll
  static void uninterrupted() {
    whole = shared.resolve("whole");
    job(config(), whole, false, (s, n) -> false);
  }

  /** A run stopped after fspo step 3: checkpoints 2-fspo-step-000002 and -000003 (keep_last 2). */
  static Path stopped(Path dir) {
    job(config(), dir, false, (s, n) -> s.equals("fspo") && n == 3);
    assertFalse(Files.exists(dir.resolve("final")));
    return dir;
  }

  /** Every file under a folder, by relative path, with its bytes. */
  static Map<String, byte[]> snapshot(Path root) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(p).toString(), Files.readAllBytes(p));
    }
    return out;
  }

  static void assertSameFiles(Map<String, byte[]> before, Map<String, byte[]> after) {
    assertEquals(before.keySet(), after.keySet());
    before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k + " is unchanged"));
  }

  /** Same rows in the same order, every value equal but the measured tokens/s. */
  static void assertSameRunAsWhole(Path run) throws Exception {
    List<String> a = Files.readAllLines(whole.resolve("metrics.jsonl")), b = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertEquals(a.size(), b.size(), "each step logged once, none missing");
    for (int i = 0; i < a.size(); i++) {
      JsonNode x = TrainerTest.JSON.readTree(a.get(i)), y = TrainerTest.JSON.readTree(b.get(i));
      for (Iterator<String> it = x.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (k.equals(MetricNames.TOKENS_PER_SECOND)) continue;
        if (x.get(k).isNumber()) {
          double rel = Math.abs(x.get(k).asDouble() - y.get(k).asDouble()) / Math.max(1e-12, Math.abs(x.get(k).asDouble()));
          assertTrue(rel <= 1e-6, "row " + (i + 1) + " " + k + ": " + x.get(k) + " vs " + y.get(k));
        } else {
          assertEquals(x.get(k), y.get(k), "row " + (i + 1) + " " + k);
        }
      }
    }
    Map<String, INDArray> wa = TrainerTest.weights(whole), wb = TrainerTest.weights(run);
    assertEquals(wa.keySet(), wb.keySet());
    for (String name : wa.keySet()) {
      double rel = wa.get(name).sub(wb.get(name)).norm2Number().doubleValue()
          / Math.max(1e-30, wa.get(name).norm2Number().doubleValue());
      assertTrue(rel <= 1e-6, name + " differs by " + rel + " relative");
    }
  }

  @Test
  void aChangedConfigIsRefusedAndOnlyCheckpointCadenceMayChange(@TempDir Path tmp) throws Exception {
    Path run = stopped(tmp.resolve("run"));
    Map<String, byte[]> before = snapshot(run);
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> job(config("fspo.lr=0.05", "optim.warmup_steps=3"), run, true, (s, n) -> false));
    assertEquals(FspoUserException.CONFIG, e.exitCode());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertTrue(e.getMessage().startsWith(run.resolve("config.yaml") + ": --resume with a changed training config: "
        + "train.fspo.lr 0.003 -> 0.05, train.optim.warmup_steps 2 -> 3; "), e.getMessage());
    assertSameFiles(before, snapshot(run));
    // keep_last is safe to change: the run goes on, and config.yaml still records the run's own config
    String log = job(config("checkpoint.keep_last=3"), run, true, (s, n) -> false);
    assertEquals(List.of(), warnings(log));
    assertArrayEquals(before.get("config.yaml"), Files.readAllBytes(run.resolve("config.yaml")));
    assertEquals(3, new Checkpoints(run.resolve("checkpoints")).list().size(), "keep_last 3 applied");
    assertSameRunAsWhole(run);
  }

  @Test
  void aFinishedRunIsReusableOnlyUnderItsOwnConfig() {
    assertTrue(TrainedRun.isFinished(whole));
    ResumeCheck.requireReusable(whole, config()); // the config it was trained with
    ResumeCheck.requireReusable(whole, config("checkpoint.keep_last=5")); // cadence only: the weights are the same
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> ResumeCheck.requireReusable(whole, config("data.shots=0")));
    assertEquals(FspoUserException.CONFIG, e.exitCode());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertTrue(e.getMessage().startsWith(whole.resolve("config.yaml") + ": this finished run was trained with "
        + "another config than the one it would be trained with now: train.data.shots "), e.getMessage());
    assertTrue(e.getMessage().contains("; delete " + whole + " to retrain it"), e.getMessage());
  }

  @Test
  void aTornLastMetricsRowIsDroppedAndTheRunEndsAsAnUninterruptedOne(@TempDir Path tmp) throws Exception {
    Path run = stopped(tmp.resolve("run"));
    Path metrics = run.resolve("metrics.jsonl");
    byte[] good = Files.readAllBytes(metrics);
    // damage before the last line is not a torn write: refused with one line, nothing changed
    List<String> lines = new ArrayList<>(Files.readAllLines(metrics));
    lines.set(1, lines.get(1).substring(0, 30));
    Files.write(metrics, lines);
    Map<String, byte[]> before = snapshot(run);
    FspoUserException e = assertThrows(FspoUserException.class, () -> job(config(), run, true, (s, n) -> false));
    assertEquals(FspoUserException.DATA, e.exitCode());
    assertTrue(e.getMessage().startsWith(metrics + " line 2: not a metrics row"), e.getMessage());
    assertSameFiles(before, snapshot(run));
    // a kill while writing step 4's row: half of that row, no newline
    String row4 = Files.readAllLines(whole.resolve("metrics.jsonl")).get(2 + 3);
    Files.write(metrics, good);
    Files.writeString(metrics, row4.substring(0, row4.length() / 2), java.nio.file.StandardOpenOption.APPEND);
    String log = job(config(), run, true, (s, n) -> false);
    List<String> warned = warnings(log);
    assertEquals(1, warned.size(), log);
    assertTrue(warned.get(0).startsWith("warning: " + metrics + " line 6 is a torn row"), warned.get(0));
    assertSameRunAsWhole(run);
  }

  @Test
  void anUnreadableNewestCheckpointFallsBackToThePreviousOne(@TempDir Path tmp) throws Exception {
    Path run = stopped(tmp.resolve("run"));
    Path bad = run.resolve("checkpoints/2-fspo-step-000003"), opt = bad.resolve(Checkpoints.OPTIMIZER);
    byte[] cut = Arrays.copyOf(Files.readAllBytes(opt), 1200);
    Files.write(opt, cut);
    String log = job(config(), run, true, (s, n) -> false);
    List<String> warned = warnings(log);
    assertEquals(1, warned.size(), log);
    assertTrue(warned.get(0).startsWith("warning: checkpoint " + bad + " is unreadable: " + opt + ": truncated: the "
        + "header declares "), warned.get(0));
    assertTrue(warned.get(0).contains("bytes but the file has 1200; the checkpoint is incomplete"), warned.get(0));
    assertTrue(warned.get(0).endsWith("resuming from 2-fspo-step-000002"), warned.get(0));
    assertArrayEquals(cut, Files.readAllBytes(run.resolve("checkpoints/corrupt-2-fspo-step-000003")
        .resolve(Checkpoints.OPTIMIZER)), "the damaged checkpoint is kept, renamed");
    assertSameRunAsWhole(run);
  }

  @Test
  void withNoReadableStage2CheckpointStage2RestartsFromSft(@TempDir Path tmp) throws Exception {
    Path run = stopped(tmp.resolve("run"));
    for (Path ck : new Checkpoints(run.resolve("checkpoints")).list()) {
      Files.writeString(ck.resolve(Checkpoints.STATE), "{\"stage\": \"fs");
    }
    List<String> warned = warnings(job(config(), run, true, (s, n) -> false));
    assertEquals(2, warned.size(), warned.toString());
    assertTrue(warned.get(1).endsWith("no readable fspo checkpoint is left, so the stage restarts from its "
        + "beginning"), warned.get(1));
    assertSameRunAsWhole(run);
  }
}
