package org.fspo.eval.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor side of the shared-run-folder check: an executor that sees another folder at the same path (no
 * probe, or another driver's token) gets one line naming the folder and the fix; the driver's own folder passes.
 */
class SharedFolderTest {
  @Test
  void anExecutorThatDoesNotSeeTheDriversFolderGetsOneLine(@TempDir Path dir) throws Exception {
    String missing = SharedFolder.check(dir, "token-1");
    assertTrue(missing.startsWith("--out " + dir + " is not the driver's folder on executor host "), missing);
    assertTrue(missing.endsWith("(NFS or another shared mount at the same path)"), missing);
    assertFalse(missing.contains("\n"));
    Files.writeString(dir.resolve(SharedFolder.PROBE), "token-2"); // another driver's probe
    assertEquals(missing, SharedFolder.check(dir, "token-1"));
    Files.writeString(dir.resolve(SharedFolder.PROBE), "token-1");
    assertEquals("", SharedFolder.check(dir, "token-1"));
  }
}
