package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which folders training may write into: new, empty (a shared ref-cache/ allowed), or with --resume its own run. */
class RunLayoutTest {
  @TempDir Path dir;

  @Test
  void aNewFolderIsClaimedAndTheMarkerDoesNotCountAsAnExistingRun() throws Exception {
    RunLayout run = new RunLayout(dir.resolve("run"));
    Files.createDirectories(run.refCache()); // a shared reference cache may be there already
    run.claim(false);
    assertTrue(Files.isRegularFile(run.marker()));
    RunLayout.refuseExisting(run.root(), false); // the marker alone is not a run: no refusal
    run.claim(false); // nor is it one the second time (a claim that crashed before training wrote anything)
  }

  @Test
  void aRunIsResumedButNotRestartedAndARunFromBeforeTheMarkerIsRecognised() throws Exception {
    RunLayout run = new RunLayout(Files.createDirectories(dir.resolve("old")));
    Files.writeString(run.config(), "train: {}\n");
    Files.writeString(run.tokenizer(), "{}");
    FspoUserException restart = assertThrows(FspoUserException.class, () -> run.claim(false));
    assertEquals(FspoUserException.CANT_CREATE, restart.exitCode());
    assertEquals(run.root() + " already holds a training run; pass --resume to continue it or choose a new --out"
        + " folder", restart.getMessage());
    run.claim(true);
    assertTrue(Files.isRegularFile(run.marker()), "an older run gets its marker on resume");
  }

  @Test
  void resumeNeverWritesIntoAFolderThatIsNotARun() throws Exception {
    RunLayout notARun = new RunLayout(Files.createDirectories(dir.resolve("mine")));
    Files.writeString(notARun.config(), "mine: true\n");
    Files.writeString(notARun.metrics(), "{\"mine\": 1}\n");
    for (boolean resume : new boolean[] {true, false}) {
      FspoUserException refused = assertThrows(FspoUserException.class, () -> notARun.claim(resume));
      assertTrue(refused.getMessage().startsWith("--out " + notARun.root() + " is not empty and is not an fspo train"
          + " run"), refused.getMessage());
    }
    assertFalse(Files.exists(notARun.marker()));
    assertEquals("mine: true\n", Files.readString(notARun.config()));
    assertEquals("{\"mine\": 1}\n", Files.readString(notARun.metrics()));
  }
}
