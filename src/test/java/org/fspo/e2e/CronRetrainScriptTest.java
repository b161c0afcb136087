package org.fspo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/cron-retrain.sh's control flow: lock, new data, resume from the promoted run, gate, promote or keep, logs.
 * The `fspo` it calls is a stub (FSPO=...) that records its arguments and answers the gate as the test says, so
 * each path is exercised exactly and fast; the real commands are covered by the pipeline end-to-end test and the
 * gate's own unit test (GateTest).
 */
class CronRetrainScriptTest {
  static final Path SCRIPT = Path.of("..", "..", "scripts", "cron-retrain.sh").toAbsolutePath().normalize();

  /** A stand-in for scripts/fspo: logs "subcommand args" to $STUB_LOG and writes what the script reads next. */
  static final String STUB = """
      #!/usr/bin/env bash
      set -euo pipefail
      echo "$*" >> "$STUB_LOG"
      cmd="$1"; shift
      out=""; run=""
      while [ $# -gt 0 ]; do
        case "$1" in --out) out="$2"; shift 2 ;; --run) run="$2"; shift 2 ;; *) shift ;; esac
      done
      case "$cmd" in
        synth|import) mkdir -p "$out"; echo '{}' > "$out/manifest.json" ;;
        train) [ "${STUB_TRAIN_FAILS:-0}" = 1 ] && { echo "stub train failed" >&2; exit 3; }
               mkdir -p "$out/final" ;;
        eval) mkdir -p "$out"; echo '{"schema_version": 1}' > "$out/report.json"
              echo "{\\"promote\\":$STUB_PROMOTE,\\"candidate\\":$STUB_ACC,\\"incumbent\\":0.7,\\"method\\":\\"fspo\\",\\"shots\\":4}" > "$out/gate.json" ;;
      esac
      """;

  @TempDir Path dir;
  Path state, stub, log, config;

  @BeforeEach
  void setUp() throws IOException {
    state = dir.resolve("state");
    log = dir.resolve("calls.log");
    stub = dir.resolve("fspo");
    Files.writeString(stub, STUB);
    Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
    config = Files.writeString(dir.resolve("demo.yaml"), "synth: {}\n");
  }

  record Run(int exit, String output) {}

  Run cron(Map<String, String> env) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString(), "--config", config.toString(),
        "--state", state.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("FSPO", stub.toString());
    pb.environment().put("STUB_LOG", log.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new Run(p.exitValue(), out);
  }

  List<String> history() throws IOException {
    return Files.readAllLines(state.resolve("history.tsv"));
  }

  @Test
  void promotesFirstThenKeepsAWorseCandidateAndResumesFromThePromotedRun() throws Exception {
    Run first = cron(Map.of("STUB_PROMOTE", "true", "STUB_ACC", "0.7"));
    assertEquals(0, first.exit(), first.output());
    assertTrue(first.output().contains("PROMOTED"), first.output());
    String promoted = Files.readSymbolicLink(state.resolve("promoted")).toString();
    assertTrue(promoted.startsWith("runs/"));
    assertTrue(Files.isDirectory(state.resolve("promoted").resolve("final")));
    String heldout = Files.readSymbolicLink(state.resolve("heldout")).toString();

    Thread.sleep(1100); // a new second: a new run id
    Run second = cron(Map.of("STUB_PROMOTE", "false", "STUB_ACC", "0.6"));
    assertEquals(0, second.exit(), second.output());
    assertTrue(second.output().contains("NOT promoted"), second.output());
    assertEquals(promoted, Files.readSymbolicLink(state.resolve("promoted")).toString()); // unchanged
    assertEquals(heldout, Files.readSymbolicLink(state.resolve("heldout")).toString());   // the held-out set is fixed

    List<String> calls = Files.readAllLines(log);
    List<String> trains = calls.stream().filter(c -> c.startsWith("train ")).toList();
    assertFalse(trains.get(0).contains("--init"), trains.get(0));               // first: from scratch
    assertTrue(trains.get(1).contains("--init " + state.resolve("promoted").resolve("final")), trains.get(1));
    List<String> evals = calls.stream().filter(c -> c.startsWith("eval ")).toList();
    for (String eval : evals) { // the first run's incumbent report does not exist yet: eval reads that as "none"
      assertTrue(eval.contains("--gate " + state.resolve("promoted/report/report.json")), eval);
    }
    assertTrue(evals.get(1).contains("--episodes " + state.resolve("heldout")), evals.get(1));
    List<String> synths = calls.stream().filter(c -> c.startsWith("synth ")).toList();
    assertTrue(synths.get(0).contains("synth.seed=1000") && synths.get(1).contains("synth.seed=1001"), synths.toString());

    List<String> history = history();
    assertEquals(2, history.size());
    assertTrue(history.get(0).split("\t")[1].equals("promoted") && history.get(1).split("\t")[1].equals("kept"));
    assertEquals("0.6", history.get(1).split("\t")[2]);
    try (var logs = Files.list(state.resolve("logs"))) {
      assertEquals(2, logs.count()); // every run's log is kept
    }
  }

  @Test
  void aRunThatFindsTheLockHeldLeavesEverythingAlone() throws Exception {
    Files.createDirectories(state);
    // The holder prints once flock has granted the lock; reading that line is the handshake (no guessed sleep).
    Process holder = new ProcessBuilder("flock", state.resolve("retrain.lock").toString(),
        "sh", "-c", "echo held; exec sleep 20").start();
    try (var holderOut = new BufferedReader(
        new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      assertEquals("held", holderOut.readLine(), "flock did not take the lock");
      Run blocked = cron(Map.of("STUB_PROMOTE", "true", "STUB_ACC", "0.7"));
      assertEquals(75, blocked.exit(), blocked.output());
      assertTrue(blocked.output().contains("another run holds"), blocked.output());
      assertFalse(Files.exists(log)); // no command ran
    } finally {
      holder.destroy();
      holder.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFailedTrainingIsLoggedAndPromotesNothing() throws Exception {
    Run failed = cron(Map.of("STUB_TRAIN_FAILS", "1", "STUB_PROMOTE", "true", "STUB_ACC", "0.7"));
    assertEquals(3, failed.exit(), failed.output());
    assertFalse(Files.exists(state.resolve("promoted")));
    assertTrue(history().get(0).split("\t")[1].startsWith("failed"), history().toString());
    try (var logs = Files.list(state.resolve("logs"))) {
      Path only = logs.findFirst().orElseThrow();
      assertTrue(Files.readString(only).contains("stub train failed"));
    }
  }
}
