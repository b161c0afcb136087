package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad config value through the real command line (issue 14 §5): exit 78 and exactly one stderr line naming where
 * it came from, the whole key and the fix. `fspo train` reads its config before touching --episodes, so a store is
 * not needed.
 */
class ConfigErrorsCliTest {
  @TempDir Path dir;

  private CliRun train(Path config, String... sets) {
    List<String> args = new ArrayList<>(List.of("train", "--episodes", dir.resolve("none").toString(), "--out",
        dir.resolve("run").toString()));
    if (config != null) {
      args.addAll(List.of("--config", config.toString()));
    }
    for (String set : sets) {
      args.addAll(List.of("--set", set));
    }
    return CliRun.of(args.toArray(String[]::new));
  }

  private static String oneLine(CliRun run) {
    assertEquals(FspoUserException.CONFIG, run.exitCode(), run.err());
    assertEquals(1, run.errLines().size(), run.err());
    assertEquals("", run.out());
    return run.errLines().get(0);
  }

  private Path file(String text) throws IOException {
    return Files.writeString(dir.resolve("c.yaml"), text);
  }

  @Test
  void aFractionForAnIntegerIsRefused() throws IOException {
    Path config = file("train:\n  sft:\n    steps: 2.5\n");
    assertEquals("fspo train: " + config + ": 'train.sft.steps' must be an integer, got '2.5'; fix the value",
        oneLine(train(config)));
  }

  @Test
  void aKeyGivenTwiceIsRefused() throws IOException {
    Path config = file("train:\n  seed: 1\n  seed: 2\n");
    assertEquals("fspo train: " + config + " line 3, column 3: key 'seed' is given twice in the same mapping;"
        + " keep one", oneLine(train(config)).replaceFirst("column \\d+", "column 3"));
  }

  @Test
  void aNullLossNamesTheKeyNotANullPointer() {
    assertEquals("fspo train: --set train.fspo.loss=null: train.fspo.loss is null; give a value (default: ipo) or"
        + " remove the key to keep the default", oneLine(train(null, "train.fspo.loss=null")));
  }

  @Test
  void aNegativeSftLrNamesTrainSftLr() {
    assertEquals("fspo train: --set train.sft.lr=-1: train.sft.lr must be non-negative, got -1.0; fix the value",
        oneLine(train(null, "train.sft.lr=-1")));
  }

  @Test
  void aSyntaxErrorGivesLineAndColumn() throws IOException {
    Path config = file("train:\n  seed: 1\n\tsft: {}\n");
    String line = oneLine(train(config));
    assertEquals("fspo train: " + config + " line 3, column 1: not valid YAML", line.substring(0,
        line.indexOf(" (")));
  }
}
