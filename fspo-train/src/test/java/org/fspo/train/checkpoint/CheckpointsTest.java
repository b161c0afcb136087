package org.fspo.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Reading checkpoints back: what a damaged one is reported as, and passing over it for an older one. */
class CheckpointsTest {
  @TempDir Path tmp;

  /** A checkpoint folder as Checkpoints.write lays it out, without needing a model. */
  Path checkpoint(String stage, long step, float value) throws Exception {
    TrainerState s = new TrainerState(stage, step, 0, step, step, 7, 1_000_000, null);
    Path dir = Files.createDirectories(tmp.resolve("checkpoints").resolve(Checkpoints.name(s)));
    LinkedHashMap<String, INDArray> w = new LinkedHashMap<>();
    w.put("transformer.wte.weight", Nd4j.valueArrayOf(new long[] {40, 16}, value));
    SafeTensors.write(dir.resolve(Checkpoints.MODEL), w);
    LinkedHashMap<String, INDArray> o = new LinkedHashMap<>();
    o.put("exp_avg.transformer.wte.weight", Nd4j.valueArrayOf(new long[] {40, 16}, value / 10));
    SafeTensors.write(dir.resolve(Checkpoints.OPTIMIZER), o);
    new ObjectMapper().writeValue(dir.resolve(Checkpoints.STATE).toFile(), s);
    return dir;
  }

  static void truncate(Path file, int bytes) throws Exception {
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), bytes));
  }

  @Test
  void aTruncatedFileIsReportedAsTruncatedWithBothSizes() throws Exception {
    Path dir = checkpoint("fspo", 3, 1f);
    Path opt = dir.resolve(Checkpoints.OPTIMIZER);
    long whole = Files.size(opt); // 8 + header + 40 * 16 * 4 bytes of data
    truncate(opt, 1200);
    FspoUserException e = assertThrows(FspoUserException.class, () -> LoadedCheckpoint.read(dir));
    assertEquals(opt + ": truncated: the header declares " + whole + " bytes but the file has 1200; the checkpoint "
        + "is incomplete", e.getMessage());
    truncate(opt, 20); // inside the header: the header alone is longer than the file
    e = assertThrows(FspoUserException.class, () -> LoadedCheckpoint.read(dir));
    assertTrue(e.getMessage().contains("truncated: the header declares") && e.getMessage().endsWith("but the file "
        + "has 20; the checkpoint is incomplete"), e.getMessage());
    truncate(opt, 5);
    e = assertThrows(FspoUserException.class, () -> LoadedCheckpoint.read(dir));
    assertTrue(e.getMessage().contains("truncated: 5 bytes, less than the 8-byte header length"), e.getMessage());
    Files.delete(opt);
    e = assertThrows(FspoUserException.class, () -> LoadedCheckpoint.read(dir));
    assertEquals(opt + ": missing; the checkpoint is incomplete", e.getMessage());
    Files.writeString(dir.resolve(Checkpoints.STATE), "{\"stage\": \"fspo\", \"step\": 3, \"epo");
    e = assertThrows(FspoUserException.class, () -> LoadedCheckpoint.read(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve(Checkpoints.STATE) + ": unreadable ("), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }

  @Test
  void theNewestReadableIsChosenAndUnreadableNewerOnesAreSetAsideByName() throws Exception {
    Path one = checkpoint("fspo", 1, 1f), two = checkpoint("fspo", 2, 2f), three = checkpoint("fspo", 3, 3f);
    byte[] damaged = Arrays.copyOf(Files.readAllBytes(three.resolve(Checkpoints.MODEL)), 900);
    Files.write(three.resolve(Checkpoints.MODEL), damaged);
    List<String> warnings = new ArrayList<>();
    Checkpoints cks = new Checkpoints(tmp.resolve("checkpoints"));
    LoadedCheckpoint got = cks.newestReadable(null, false, warnings::add);
    assertEquals(two, got.dir());
    assertEquals(2, got.state().step());
    assertEquals(2f, got.weights().get("transformer.wte.weight").getFloat(0));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).startsWith("checkpoint " + three + " is unreadable: " + three.resolve(
        Checkpoints.MODEL) + ": truncated: "), warnings.get(0));
    assertTrue(warnings.get(0).endsWith("renamed it corrupt-2-fspo-step-000003 and resuming from 2-fspo-step-000002"),
        warnings.get(0));
    // kept byte for byte, under a name that list() and pruning no longer count
    Path aside = tmp.resolve("checkpoints/corrupt-2-fspo-step-000003");
    assertArrayEquals(damaged, Files.readAllBytes(aside.resolve(Checkpoints.MODEL)));
    assertEquals(List.of(one, two), cks.list());
    // only stage-1 checkpoints wanted: none
    assertNull(cks.newestReadable("sft", false, warnings::add));
  }

  @Test
  void noReadableCheckpointIsOneLineAndTouchesNothing() throws Exception {
    Path one = checkpoint("sft", 1, 1f), two = checkpoint("sft", 2, 2f);
    truncate(one.resolve(Checkpoints.OPTIMIZER), 100);
    Files.writeString(two.resolve(Checkpoints.STATE), "not json");
    Checkpoints cks = new Checkpoints(tmp.resolve("checkpoints"));
    List<String> warnings = new ArrayList<>();
    FspoUserException e = assertThrows(FspoUserException.class, () -> cks.newestReadable(null, false, warnings::add));
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertTrue(e.getMessage().startsWith(tmp.resolve("checkpoints") + ": no readable checkpoint to resume from: "
        + two.resolve(Checkpoints.STATE) + ": unreadable"), e.getMessage());
    assertTrue(e.getMessage().contains("(and 1 older one unreadable too)"), e.getMessage());
    assertEquals(List.of(one, two), cks.list(), "nothing renamed when the resume fails");
    assertTrue(warnings.isEmpty());
    // restartable (stage 2 can start again from sft/): both set aside, with a warning each
    assertNull(cks.newestReadable(null, true, warnings::add));
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(1).startsWith("checkpoint " + one + " is unreadable: " + one.resolve(
        Checkpoints.OPTIMIZER) + ": truncated: "), warnings.get(1));
    assertTrue(warnings.get(1).endsWith("no readable checkpoint is left, so the stage restarts from its beginning"),
        warnings.get(1));
    assertEquals(List.of(), cks.list());
  }
}
