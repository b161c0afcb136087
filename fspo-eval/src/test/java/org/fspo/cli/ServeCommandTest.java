package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fspo serve's bad inputs: one line naming the option and the fix, a sysexits code, nothing bound or loaded. */
class ServeCommandTest {
  @TempDir Path dir;

  private static void oneLine(CliRun run, int code, String mentions) {
    assertEquals(code, run.exitCode(), run.err());
    assertEquals(1, run.errLines().size(), run.err());
    assertTrue(run.err().contains(mentions), run.err());
  }

  @Test
  void badInputsGiveOneLine() {
    String runDir = dir.resolve("no-run").toString();
    oneLine(CliRun.of("serve", "--run", runDir, "--port", "0"), FspoUserException.NO_INPUT, "no-run");
    oneLine(CliRun.of("serve", "--run", runDir, "--method", "oracle", "--port", "0"), FspoUserException.USAGE,
        "oracle");
    oneLine(CliRun.of("serve", "--run", runDir, "--method", "best", "--port", "0"), FspoUserException.USAGE,
        "best");
    oneLine(CliRun.of("serve", "--run", runDir, "--api-key-env", "FSPO_TEST_SURELY_UNSET_KEY", "--port", "0"),
        FspoUserException.USAGE, "FSPO_TEST_SURELY_UNSET_KEY");
    oneLine(CliRun.of("serve", "--run", runDir, "--max-batch", "0"), FspoUserException.USAGE, "--max-batch");
  }
}
