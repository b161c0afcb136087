package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthCommandTest {
  private static final String CONFIG = Path.of("..", "conf", "synth-procedural.yaml").toString();
  @TempDir Path dir;

  private static CliRun synth(Path out, String... sets) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("synth", "--master", "local[2]",
        "--config", CONFIG, "--out", out.toString(), "--set", "synth.num_users=8", "--set", "synth.pairs_per_user=4"));
    for (String set : sets) {
      args.add("--set");
      args.add(set);
    }
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void writesAProceduralStorePrintsTheCountsAndGuardsTheFolder() {
    Path out = dir.resolve("store");
    CliRun run = synth(out);
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("synth procedural -> " + out + ": {preferences=32, users=8, quarantine=0}"),
        run.out());
    assertTrue(run.out().contains("pairs        in     32 = out     32 + quarantined     0"), run.out());
    assertTrue(run.out().contains("num_users: 8"), "prints the effective config: " + run.out());

    CliRun other = synth(out, "synth.seed=7");
    assertEquals(FspoUserException.CANT_CREATE, other.exitCode());
    assertEquals(1, other.errLines().size(), other.err());
    assertTrue(other.err().contains("--overwrite"), other.err());
  }

  @Test
  void aBadConfigKeyIsOneLine() {
    CliRun bad = synth(dir.resolve("x"), "synth.procedural.colour=red");
    assertEquals(FspoUserException.CONFIG, bad.exitCode());
    assertEquals(1, bad.errLines().size(), bad.err());
    assertTrue(bad.err().contains("colour"), bad.err());
  }

  @Test
  void anUnreachableServerStopsFastWithOneLineNamingItAndWritesNothing() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    Path out = dir.resolve("llm");
    CliRun down = CliRun.of("synth", "--master", "local[1]", "--config",
        Path.of("..", "conf", "reviews.yaml").toString(), "--out", out.toString(),
        "--set", "synth.llm.base_url=http://127.0.0.1:" + port + "/v1", "--set", "synth.llm.max_attempts=2",
        "--set", "synth.llm.backoff_initial_ms=1", "--set", "synth.llm.backoff_max_ms=5",
        "--set", "synth.pipeline.templates=" + Path.of("..", "conf", "templates", "reviews"));
    assertEquals(FspoUserException.UNAVAILABLE, down.exitCode(), down.err());
    assertEquals(1, down.errLines().size(), down.err());
    String line = down.errLines().get(0);
    assertTrue(line.startsWith("fspo synth: synth stopped in stage personas: the LLM server http://127.0.0.1:" + port
        + "/v1 failed 8 calls in a row (last: 2 attempts failed; last: connection refused to 127.0.0.1:" + port + ")"),
        line);
    assertTrue(!java.nio.file.Files.exists(out), "no store was written");
  }
}
