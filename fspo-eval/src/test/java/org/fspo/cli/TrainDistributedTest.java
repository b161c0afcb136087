package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.SafeTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code fspo train --master local[2] --set train.distributed.workers=2} (two Spark barrier tasks, a TCP ring between
 * them) against the single-process {@code fspo train} on the same store and config: final/ weights agree within
 * {@link #TOL} relative (float32 gradients summed in ring order instead of micro-batch order), and metrics.jsonl has
 * the same rows with the same values (tokens/s aside). Plus the one-line refusal of more workers than slots.
 */
class TrainDistributedTest {
  /** |a - b| &lt;= TOL * max(1, |b|): float32 summation-order rounding over a few Adam steps. */
  static final double TOL = 1e-5;
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> TINY = List.of("--set", "train.model.d_model=32", "--set", "train.model.layers=1",
      "--set", "train.model.heads=2", "--set", "train.model.max_seq_len=128", "--set", "train.data.shots=1",
      "--set", "train.sft.epochs=0", "--set", "train.sft.steps=2", "--set", "train.fspo.epochs=0",
      "--set", "train.fspo.steps=3", "--set", "train.optim.batch_pairs=5", "--set", "train.checkpoint.every_steps=2",
      "--set", "train.distributed.hash_every=1", "--no-progress");
  @TempDir static Path dir;
  static Path store;

  @BeforeAll
  static void store() throws Exception {
    List<String> rows = new ArrayList<>();
    for (int u = 0; u < 3; u++) {
      for (int q = 0; q < 4; q++) {
        rows.add("{\"user_id\": \"u" + u + "\", \"prompt\": \"Tell me about topic " + q + "\", \"chosen\": "
            + "\"a warm answer " + q + "\", \"rejected\": \"a cold answer " + q + "\"}");
      }
    }
    Path input = Files.write(dir.resolve("pairs.jsonl"), rows);
    store = dir.resolve("store");
    CliRun imported = CliRun.of("import", "--master", "local[1]", "--input", input.toString(), "--out",
        store.toString(), "--test-fraction", "0");
    assertEquals(0, imported.exitCode(), imported.err());
  }

  static CliRun train(String master, Path out, String... more) {
    List<String> args = new ArrayList<>(List.of("train", "--master", master, "--episodes", store.toString(),
        "--out", out.toString()));
    args.addAll(TINY);
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void twoBarrierTasksEqualOneProcess() throws Exception {
    CliRun one = train("local[1]", dir.resolve("one"));
    assertEquals(0, one.exitCode(), one.err());
    CliRun two = train("local[2]", dir.resolve("two"), "--set", "train.distributed.workers=2");
    assertEquals(0, two.exitCode(), two.err());
    assertEquals(List.of(dir.resolve("two/final").toString()), two.outLines());
    assertTrue(two.err().contains("reference log-probs: "), two.err());
    assertClose(SafeTensors.readArrays(dir.resolve("one/final/model.safetensors")),
        SafeTensors.readArrays(dir.resolve("two/final/model.safetensors")));
    assertSameRows(dir.resolve("one/metrics.jsonl"), dir.resolve("two/metrics.jsonl"));
  }

  @Test
  void moreWorkersThanSlotsIsOneLine() {
    CliRun r = train("local[2]", dir.resolve("three"), "--set", "train.distributed.workers=3");
    assertEquals(FspoUserException.CONFIG, r.exitCode(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().contains("train.distributed.workers is 3 but the cluster (local[2]) has 2 task slot(s)"),
        r.err());
  }

  static void assertClose(Map<String, INDArray> expected, Map<String, INDArray> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (String name : expected.keySet()) {
      float[] e = expected.get(name).dup().data().asFloat(), a = actual.get(name).dup().data().asFloat();
      for (int i = 0; i < e.length; i++) {
        assertTrue(Math.abs(e[i] - a[i]) <= TOL * Math.max(1, Math.abs(e[i])),
            name + "[" + i + "]: " + a[i] + " vs single-process " + e[i]);
      }
    }
  }

  static void assertSameRows(Path expected, Path actual) throws Exception {
    List<String> e = Files.readAllLines(expected), a = Files.readAllLines(actual);
    assertEquals(e.size(), a.size());
    for (int i = 0; i < e.size(); i++) {
      JsonNode x = JSON.readTree(e.get(i)), y = JSON.readTree(a.get(i));
      for (Iterator<String> it = x.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        assertTrue(y.has(k), "row " + (i + 1) + " has " + k);
        if (k.equals("tokens/s")) continue;
        if (!x.get(k).isNumber()) {
          assertEquals(x.get(k), y.get(k), "row " + (i + 1) + " " + k);
        } else {
          double p = x.get(k).asDouble(), q = y.get(k).asDouble();
          assertTrue(Math.abs(p - q) <= TOL * Math.max(1e-1, Math.abs(p)), "row " + (i + 1) + " " + k + ": " + q
              + " vs single-process " + p);
        }
      }
    }
  }
}
