package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fspo train end to end on a tiny imported store, its resume, and one-line errors. */
class TrainCommandTest {
  @TempDir Path dir;

  static final List<String> TINY = List.of("--set", "train.model.d_model=32", "--set", "train.model.layers=1",
      "--set", "train.model.heads=2", "--set", "train.model.max_seq_len=128", "--set", "train.data.shots=1",
      "--set", "train.sft.epochs=0", "--set", "train.sft.steps=1", "--set", "train.fspo.epochs=0",
      "--set", "train.fspo.steps=2", "--set", "train.checkpoint.every_steps=1", "--no-progress");

  private Path store() throws Exception {
    List<String> rows = new ArrayList<>();
    for (int u = 0; u < 3; u++) {
      for (int q = 0; q < 4; q++) {
        rows.add("{\"user_id\": \"u" + u + "\", \"prompt\": \"Tell me about topic " + q + "\", \"chosen\": "
            + "\"a warm answer " + q + "\", \"rejected\": \"a cold answer " + q + "\"}");
      }
    }
    Path input = Files.write(dir.resolve("pairs.jsonl"), rows);
    Path store = dir.resolve("store");
    CliRun imported = CliRun.of("import", "--master", "local[1]", "--input", input.toString(), "--out",
        store.toString(), "--test-fraction", "0");
    assertEquals(0, imported.exitCode(), imported.err());
    return store;
  }

  private CliRun train(Path store, Path out, String... more) {
    List<String> args = new ArrayList<>(List.of("train", "--master", "local[1]", "--episodes", store.toString(),
        "--out", out.toString()));
    args.addAll(TINY);
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void helpListsTheSupportedArchitectures() {
    CliRun r = CliRun.of("train", "--help");
    String[] expected = {"gpt2", "llama", "qwen2", "mistral", "Llama 3.2 1B/3B", "Qwen2.5 0.5B-7B", "llama3"};
    for (String a : expected) {
      org.junit.jupiter.api.Assertions.assertTrue(r.out().contains(a), a + " in:\n" + r.out());
    }
  }

  @Test
  void trainsFromScratchIntoARunFolderAndResumes() throws Exception {
    Path store = store();
    Path out = dir.resolve("run");
    CliRun run = train(store, out);
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(List.of(out.resolve("final").toString()), run.outLines());
    assertTrue(run.err().contains("effective config:"), run.err());
    assertTrue(run.err().contains("12 episodes from 3 users"), run.err());
    for (String f : List.of("config.yaml", "tokenizer.json", "metrics.jsonl", "sft/model.safetensors",
        "final/model.safetensors", "final/tokenizer.json")) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    assertEquals(3, Files.readAllLines(out.resolve("metrics.jsonl")).size(), "1 sft + 2 fspo steps");
    CliRun again = train(store, out);
    assertEquals(FspoUserException.CANT_CREATE, again.exitCode());
    assertEquals(1, again.errLines().size(), again.err());
    byte[] config = Files.readAllBytes(out.resolve("config.yaml"));
    byte[] metrics = Files.readAllBytes(out.resolve("metrics.jsonl"));
    CliRun changed = train(store, out, "--resume", "--set", "train.fspo.lr=0.05");
    assertEquals(FspoUserException.CONFIG, changed.exitCode(), changed.err());
    assertEquals(1, changed.errLines().size(), changed.err());
    assertTrue(changed.err().startsWith("fspo train: " + out.resolve("config.yaml") + ": --resume with a changed "
        + "training config: train.fspo.lr 1.0E-4 -> 0.05; "), changed.err());
    CliRun resumed = train(store, out, "--resume", "--set", "train.checkpoint.keep_last=3");
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertArrayEquals(config, Files.readAllBytes(out.resolve("config.yaml")), "config.yaml is never rewritten");
    assertArrayEquals(metrics, Files.readAllBytes(out.resolve("metrics.jsonl")));
    // size typos: one line, exit 78, before anything is allocated or written
    for (String typo : List.of("train.model.max_seq_len=50000000", "train.model.d_model=65536")) {
      Path fresh = dir.resolve("typo");
      CliRun huge = train(store, fresh, "--set", typo);
      assertEquals(FspoUserException.CONFIG, huge.exitCode(), huge.err());
      assertEquals(1, huge.errLines().size(), huge.err());
      assertTrue(huge.err().startsWith("fspo train: " + typo), huge.err());
      assertFalse(Files.exists(fresh), "nothing written for " + typo);
    }
  }

  @Test
  void badInputsGiveOneLine() {
    CliRun badKey = CliRun.of("train", "--episodes", dir.toString(), "--out", dir.resolve("r").toString(),
        "--set", "train.optim.nmae=adamw");
    assertEquals(FspoUserException.CONFIG, badKey.exitCode());
    assertEquals(1, badKey.errLines().size(), badKey.err());
    assertTrue(badKey.err().contains("train.optim.nmae"), badKey.err());
    CliRun noStore = CliRun.of("train", "--master", "local[1]", "--episodes", dir.resolve("none").toString(),
        "--out", dir.resolve("r").toString());
    assertEquals(FspoUserException.NO_INPUT, noStore.exitCode(), noStore.err());
    assertEquals(1, noStore.errLines().size(), noStore.err());
  }
}
