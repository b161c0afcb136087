package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fspo export's refusals: one line each and the sysexits code; the export itself is tested in LoraTrainerTest. */
class ExportCommandTest {
  @TempDir Path tmp;

  @Test
  void anUnfinishedRunIsOneLineExit66() {
    CliRun r = CliRun.of("export", "--run", tmp.resolve("nothing").toString(), "--out", tmp.resolve("o").toString());
    assertEquals(66, r.exitCode(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().contains("is not a finished run"), r.err());
  }

  @Test
  void aNonEmptyOutIsOneLineExit73AndLeftAlone() throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run.resolve("final"));
    Files.createDirectories(run.resolve("sft"));
    Files.writeString(run.resolve("final/adapter_model.safetensors"), "");
    Files.writeString(run.resolve("final/adapter_config.json"), "{}");
    Files.writeString(run.resolve("sft/model.safetensors"), "");
    Path out = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    CliRun r = CliRun.of("export", "--run", run.toString(), "--merge", "--out", out.toString());
    assertEquals(73, r.exitCode(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().contains("already holds files"), r.err());
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    try (var s = Files.list(out)) {
      assertEquals(1, s.count(), "nothing written");
    }
  }

  @Test
  void withoutMergeAFullRunIsOneLineExit64() throws Exception {
    Path run = tmp.resolve("full");
    Files.createDirectories(run.resolve("final"));
    Files.createDirectories(run.resolve("sft"));
    Files.writeString(run.resolve("final/model.safetensors"), "");
    Files.writeString(run.resolve("sft/model.safetensors"), "");
    CliRun r = CliRun.of("export", "--run", run.toString(), "--out", tmp.resolve("o").toString());
    assertEquals(64, r.exitCode(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().contains("use --merge"), r.err());
  }
}
