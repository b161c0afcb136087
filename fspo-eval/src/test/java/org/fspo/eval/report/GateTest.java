package org.fspo.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.eval.metrics.AccuracyCell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateTest {
  static Report withAccuracy(double accuracy) {
    return new Report(1, "r", "e", "test", List.of(0, 4), new Report.Bootstrap(10, 0.95, 1),
        Map.of("fspo", Map.of("4", new AccuracyCell(accuracy, 0, 1, 0.1, 10, 2))), Map.of(), null, null, null);
  }

  @Test
  void promotesWhenNotWorseAndKeepsWhenWorse(@TempDir Path dir) throws Exception {
    assertTrue(Gate.decide(withAccuracy(0.7), null, "fspo", 4).promote());
    assertTrue(Gate.decide(withAccuracy(0.7), withAccuracy(0.7), "fspo", 4).promote()); // equal is not worse
    Gate worse = Gate.decide(withAccuracy(0.65), withAccuracy(0.7), "fspo", 4);
    assertFalse(worse.promote());
    worse.write(dir);
    String line = Files.readString(dir.resolve("gate.json"));
    assertTrue(line.startsWith("{\"promote\":false,\"candidate\":0.65,\"incumbent\":0.7,"), line);
    assertEquals(1, line.lines().count());
  }

  @Test
  void aMissingCellIsAUserError() {
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> Gate.decide(withAccuracy(0.7), withAccuracy(0.6), "fspo", 8));
    assertTrue(e.getMessage().startsWith("the candidate report has no reward_accuracy.fspo.8"), e.getMessage());
  }
}
