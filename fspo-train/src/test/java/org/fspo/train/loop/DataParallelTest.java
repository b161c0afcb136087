package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.fspo.core.FspoUserException;
import org.fspo.train.dist.LoopbackRing;
import org.fspo.train.dist.RingGradientSync;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.tokenizer.WordLevelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Data-parallel training (train.distributed) with N workers as threads over a loopback ring ({@link LoopbackRing},
 * the transport a Spark barrier task holds) against the single-process trainer on the same config: the final
 * weights agree within {@link #WEIGHT_TOL} relative (float32 gradients summed in ring order instead of micro-batch
 * order; scripts/dist-equality.sh measured 2.8e-6), and metrics.jsonl has the same rows with the same values within
 * {@link #TOL} (tokens/s aside).
 */
class DataParallelTest {
  /** |a - b| &lt;= TOL * max(1, |b|), elementwise: float32 summation-order rounding after a few Adam steps. */
  static final double TOL = 1e-5;
  /**
   * The weights' bound: 3 workers on 5 pairs (1 + 2 + 2) drift furthest, 5.2e-6 with Math.exp's softmax and GELU and
   * 1.7e-5 with FastExp's, the same rounding noise grown over 6 Adam steps; a wrong sum or normalisation is off by the
   * learning rate's order (3e-3 here), far outside it.
   */
  static final double WEIGHT_TOL = 5e-5;
  static final ObjectMapper JSON = new ObjectMapper();

  static Trainer.Result single(TrainConfig c, Path out) {
    try (WordLevelTokenizer tok = TinyRuns.tokenizer()) {
      TransformerLm model = ScratchModel.create(c.model(), tok.vocabSize(), tok.eosId(), c.seed());
      return new Trainer(c, tok, TinyRuns.sampler(c), out, new Trainer.Options(false, false, (s, n) -> false))
          .run(model);
    }
  }

  /** N workers, each with its own tokenizer, sampler and model replica built from the seed, sharing RUN_DIR. */
  static List<Trainer.Result> parallel(TrainConfig c, Path out) throws Exception {
    return LoopbackRing.run(c.distributed().workers(), (rank, ring) -> {
      try (WordLevelTokenizer tok = TinyRuns.tokenizer()) {
        TransformerLm model = ScratchModel.create(c.model(), tok.vocabSize(), tok.eosId(), c.seed());
        return new Trainer(c, tok, TinyRuns.sampler(c), out, new Trainer.Options(false, false, (s, n) -> false))
            .on(new Replicas(new RingGradientSync(ring), c.distributed())).run(model);
      }
    });
  }

  static TrainConfig config(int workers, String... more) {
    List<String> sets = new ArrayList<>(List.of("distributed.workers=" + workers, "distributed.hash_every=2"));
    sets.addAll(List.of(more));
    return TinyRuns.config("gpt2", "ipo", sets.toArray(String[]::new));
  }

  @ParameterizedTest
  @CsvSource({
      "2, optim.batch_pairs=2, optim.grad_accum=3, lora.enabled=false",
      "3, optim.batch_pairs=5, optim.grad_accum=1, lora.enabled=false", // 5 = 1 + 2 + 2
      "3, optim.batch_pairs=2, optim.grad_accum=1, lora.enabled=false", // 2 = 0 + 1 + 1: rank 0 adds zeros
      "2, optim.batch_pairs=2, optim.grad_accum=2, lora.enabled=true", // only the adapter's gradients are summed
  })
  void equalsTheSingleProcessTrainer(int workers, String a, String b, String lora, @TempDir Path tmp)
      throws Exception {
    String[] sets = {a, b, lora, "fspo.steps=6", "lora.rank=4"};
    single(config(1, sets), tmp.resolve("one"));
    List<Trainer.Result> results = parallel(config(workers, sets), tmp.resolve("many"));
    results.forEach(r -> assertTrue(r.completed()));
    String weights = lora.endsWith("true") ? "final/adapter_model.safetensors" : "final/model.safetensors";
    assertClose(SafeTensors.readArrays(tmp.resolve("one").resolve(weights)),
        SafeTensors.readArrays(tmp.resolve("many").resolve(weights)));
    assertSameRows(tmp.resolve("one/metrics.jsonl"), tmp.resolve("many/metrics.jsonl"));
  }

  @Test
  void localSgdKeepsTheReplicasEqualAndStepsLocally(@TempDir Path tmp) throws Exception {
    String[] sets = {"optim.batch_pairs=2", "optim.grad_accum=2", "fspo.steps=6"};
    parallel(config(2, sets), tmp.resolve("exact"));
    // sync_every 4 with hash_every 2: the hash check at step 2 would stop a run whose replicas were not averaged, so
    // hash checks run only where local SGD averages: every 4 steps, at checkpoints (3, 6) and stage ends
    parallel(config(2, append(sets, "distributed.sync_every=4", "distributed.hash_every=4",
        "checkpoint.every_steps=4")), tmp.resolve("local"));
    Map<String, INDArray> exact = SafeTensors.readArrays(tmp.resolve("exact/final/model.safetensors"));
    Map<String, INDArray> local = SafeTensors.readArrays(tmp.resolve("local/final/model.safetensors"));
    double maxDiff = 0;
    for (String name : exact.keySet()) {
      maxDiff = Math.max(maxDiff, exact.get(name).sub(local.get(name)).amaxNumber().doubleValue());
    }
    assertTrue(maxDiff > 1e-4, "local SGD takes different steps than exact data parallel, max diff " + maxDiff);
  }

  @Test
  void divergedReplicasStopWithOneLine() throws Exception {
    TrainConfig c = config(2);
    ExecutionException e = assertThrows(ExecutionException.class, () -> LoopbackRing.run(2, (rank, ring) -> {
      try (WordLevelTokenizer tok = TinyRuns.tokenizer()) {
        TransformerLm model = ScratchModel.create(c.model(), tok.vocabSize(), tok.eosId(), c.seed());
        if (rank == 1) model.parameters().values().iterator().next().putScalar(0, 0.5f); // a flipped weight
        new Replicas(new RingGradientSync(ring), c.distributed()).requireSameWeights("fspo", 7, model);
        return null;
      }
    }));
    FspoUserException u = (FspoUserException) e.getCause();
    assertTrue(u.getMessage().startsWith("fspo step 7: the weights of worker(s) [1] differ from worker 0's"),
        u.getMessage());
    assertFalse(u.getMessage().contains("\n"));
  }

  @Test
  void shardsAreDisjointContiguousAndCoverTheStep() {
    List<Integer> step = List.of(0, 1, 2, 3, 4);
    assertEquals(List.of(List.of(0), List.of(1, 2), List.of(3, 4)),
        List.of(shard(step, 0, 3), shard(step, 1, 3), shard(step, 2, 3)));
    assertEquals(List.of(List.of(), List.of(0)), List.of(shard(List.of(0), 0, 2), shard(List.of(0), 1, 2)));
  }

  static List<Integer> shard(List<Integer> step, int rank, int world) {
    var sync = new org.fspo.train.dist.GradientSync() {
      public int rank() {
        return rank;
      }

      public int world() {
        return world;
      }

      public void sum(LinkedHashMap<String, INDArray> arrays) {}

      public long[][] gather(long[] values) {
        return null;
      }

      public void close() {}
    };
    return new Replicas(sync, new DistributedConfig(world, 1, 50)).shard(step);
  }

  static String[] append(String[] a, String... b) {
    List<String> out = new ArrayList<>(List.of(a));
    out.addAll(List.of(b));
    return out.toArray(String[]::new);
  }

  static void assertClose(Map<String, INDArray> expected, Map<String, INDArray> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (String name : expected.keySet()) {
      float[] e = expected.get(name).dup().data().asFloat(), a = actual.get(name).dup().data().asFloat();
      for (int i = 0; i < e.length; i++) {
        assertTrue(Math.abs(e[i] - a[i]) <= WEIGHT_TOL * Math.max(1, Math.abs(e[i])),
            name + "[" + i + "]: " + a[i] + " vs single-process " + e[i]);
      }
    }
  }

  /** Same rows, same keys, same values within TOL (relative, 1e-6 absolute floor); tokens/s is a timing. */
  static void assertSameRows(Path expected, Path actual) throws Exception {
    List<String> e = Files.readAllLines(expected), a = Files.readAllLines(actual);
    assertEquals(e.size(), a.size());
    for (int i = 0; i < e.size(); i++) {
      JsonNode x = JSON.readTree(e.get(i)), y = JSON.readTree(a.get(i));
      List<String> keys = new ArrayList<>(), keysB = new ArrayList<>();
      x.fieldNames().forEachRemaining(keys::add);
      y.fieldNames().forEachRemaining(keysB::add);
      assertEquals(keys, keysB, "row " + (i + 1));
      for (Iterator<String> it = x.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (k.equals("tokens/s")) continue;
        if (!x.get(k).isNumber()) {
          assertEquals(x.get(k), y.get(k), "row " + (i + 1) + " " + k);
          continue;
        }
        double p = x.get(k).asDouble(), q = y.get(k).asDouble();
        assertTrue(Math.abs(p - q) <= TOL * Math.max(1e-1, Math.abs(p)), "row " + (i + 1) + " " + k + ": " + q
            + " vs single-process " + p);
      }
    }
  }
}
