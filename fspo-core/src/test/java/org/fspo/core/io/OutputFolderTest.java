package org.fspo.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFolderTest {
  @TempDir Path dir;

  @Test
  void claimsNewEmptyAndOwnFoldersAndWritesTheMarkerOnce() throws IOException {
    Path fresh = dir.resolve("a/b");
    OutputFolder.claim(fresh, OutputFolder.TRAIN_RUN, "--out", d -> false);
    assertEquals("{\"kind\": \"train-run\", \"written_by\": \"fspo\"}\n",
        Files.readString(fresh.resolve(OutputFolder.MARKER)));
    Files.writeString(fresh.resolve("metrics.jsonl"), "{}\n");
    OutputFolder.claim(fresh, OutputFolder.TRAIN_RUN, "--out", d -> false); // its own: accepted again
    assertTrue(OutputFolder.isOwn(fresh, OutputFolder.TRAIN_RUN, d -> false));
    assertFalse(OutputFolder.isOwn(fresh, OutputFolder.EVAL_REPORT, d -> false), "a run is not a report");
    OutputFolder.claim(Files.createDirectories(dir.resolve("empty")), OutputFolder.PIPELINE, "--out", d -> false);
  }

  @Test
  void refusesAFolderOfOtherFilesAndLeavesItAsItWas() throws IOException {
    Path mine = Files.createDirectories(dir.resolve("mine/sub"));
    Files.writeString(mine.resolve("x"), "x");
    Path top = mine.getParent();
    Files.writeString(top.resolve("notes.txt"), "notes");
    FspoUserException refused = assertThrows(FspoUserException.class,
        () -> OutputFolder.claim(top, OutputFolder.EVAL_REPORT, "--out", d -> false));
    assertEquals(FspoUserException.CANT_CREATE, refused.exitCode());
    assertEquals("--out " + top + " is not empty and is not an fspo eval report (no fspo-output.json); fspo never"
        + " writes over other files: choose an empty or new --out folder", refused.getMessage());
    try (var files = Files.walk(top)) {
      assertEquals(4, files.count(), "top, notes.txt, sub, sub/x: no marker added");
    }
    OutputFolder.claim(top, OutputFolder.EVAL_REPORT, "--out", d -> Files.exists(d.resolve("notes.txt")));
    assertTrue(Files.exists(top.resolve(OutputFolder.MARKER)), "a legacy folder is recognised and marked");
  }

  @Test
  void anInputInsideTheFolderIsRefused() {
    Path out = dir.resolve("out");
    OutputFolder.refuseInputsInside(out, "--out", List.of(dir.resolve("outside"), dir.resolve("out2")));
    FspoUserException refused = assertThrows(FspoUserException.class,
        () -> OutputFolder.refuseInputsInside(out, "--out", java.util.Arrays.asList(null, out.resolve("store"))));
    assertEquals("input " + out.resolve("store") + " lies inside the output folder " + out + " (--out); choose an"
        + " --out folder that holds none of the inputs", refused.getMessage());
  }
}
