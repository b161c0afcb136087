package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fspo.core.FspoUserException;
import org.fspo.train.model.TransformerLm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Size typos are one line with exit 78 before anything is allocated (issue 14 §5). */
class MemoryBudgetTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void theEstimateCountsTheParametersTheModelAllocates(String family) {
    TrainConfig c = TinyRuns.config(family, "ipo");
    TransformerLm model = ScratchModel.create(c.model(), 57, 2, 1);
    long allocated = model.parameters().values().stream().mapToLong(INDArray::length).sum();
    MemoryBudget.Estimate e = MemoryBudget.estimate(c, ScratchModel.shapes(c.model(), 57));
    assertEquals(allocated, e.params());
    assertEquals(allocated * 4 * (1 + 1 + 2 + 1), e.stateBytes(), "weights, gradients, 2 adamw moments, reference");
    MemoryBudget.Estimate averaged = MemoryBudget.estimate(TinyRuns.config(family, "ipo", "optim.ema_decay=0.99"),
        ScratchModel.shapes(c.model(), 57));
    assertEquals(allocated * 4 * (1 + 1 + 2 + 1 + 1), averaged.stateBytes(), "and the weights' moving average");
  }

  @Test
  void activationsFollowTheDocumentedFormula() {
    // TinyRuns: batch_pairs R=4, max_seq_len T=160, layers L=2, d_model C=32, heads nh=2, gpt2 MLP F=4C=128
    TrainConfig c = TinyRuns.config("gpt2", "ipo");
    long perLayer = 4L * 160 * 2 * (8 * 32 + 2 * 128); // 655,360
    long attention = 4L * 2 * 2 * 160 * 160 / 2; // 204,800
    long mask = 4L * 160 * 160; // 102,400
    assertEquals(4 * (perLayer + attention + mask),
        MemoryBudget.estimate(c, ScratchModel.shapes(c.model(), 57)).activationBytes());
    MemoryBudget.require(c, 57); // and a tiny model passes
  }

  static FspoUserException refused(String... sets) {
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> MemoryBudget.require(TinyRuns.config("gpt2", "ipo", sets), 57));
    assertEquals(FspoUserException.CONFIG, e.exitCode(), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    return e;
  }

  @Test
  void aTensorTooLargeForOneArrayNamesTheKey() {
    // 65536 x 4 * 65536 = 2^34 values in c_fc: what the initialiser reported as "integer overflow"
    FspoUserException e = refused("model.d_model=65536");
    assertTrue(e.getMessage().startsWith("train.model.d_model=65536 makes tensor transformer.h.0.attn.c_attn.weight "
        + "[65536, 196608] hold 12884901888 values, more than the 2147483647"), e.getMessage());
    e = refused("model.max_seq_len=50000000"); // wpe: 50,000,000 x 32 = 1.6e9 fits; the activations do not
    assertTrue(e.getMessage().startsWith("train.model.max_seq_len=50000000: training needs at least "),
        e.getMessage());
    e = refused("model.max_seq_len=50000000", "model.d_model=64");  // wpe 3.2e9 values
    assertTrue(e.getMessage().startsWith("train.model.max_seq_len=50000000 makes tensor transformer.wpe.weight"),
        e.getMessage());
    e = refused("model.family=llama", "model.max_seq_len=2000000000", "model.d_model=64", "model.heads=1");
    assertTrue(e.getMessage().contains("RoPE tables hold 64000000000 values"), e.getMessage());
  }

  @Test
  void anEstimateAboveMemoryNamesTheKeyAndTheEstimate() {
    // 4 rows x 1e6 tokens: the attention mask alone is 4e12 floats, 14.6 TiB; no test machine has that
    FspoUserException e = refused("model.max_seq_len=1000000");
    assertTrue(e.getMessage().matches("train\\.model\\.max_seq_len=1000000: training needs at least [0-9.]+ TiB "
        + "\\(.*\\), more than the .* ND4J may allocate here .*lower train\\.model\\.max_seq_len or "
        + "train\\.optim\\.batch_pairs, or give the JVM more memory"), e.getMessage());
    // 200 layers of about 12 C^2 = 3.2e9 parameters each, x 5 copies x 4 bytes: some 12 TiB of weights and buffers
    e = refused("model.d_model=16384", "model.layers=200", "model.heads=1", "model.max_seq_len=64");
    assertTrue(e.getMessage().startsWith("train.model.d_model=16384, layers=200: training needs at least"),
        e.getMessage());
    assertTrue(e.getMessage().contains("lower train.model.d_model or train.model.layers"), e.getMessage());
  }

  @Test
  void trainJobRefusesBeforeWritingOrAllocatingAnything() {
    Path out = tmp.resolve("run");
    FspoUserException e = assertThrows(FspoUserException.class, () -> TrainJob.run(
        TinyRuns.config("llama", "ipo", "model.max_seq_len=50000000"), TinyRuns.pairs(), out, null,
        new Trainer.Options(false, false, (s, n) -> false), new PrintWriter(Writer.nullWriter())));
    assertEquals(FspoUserException.CONFIG, e.exitCode());
    assertTrue(e.getMessage().startsWith("train.model.max_seq_len=50000000"), e.getMessage());
    assertFalse(Files.exists(out), "no run folder for a config that cannot run");
  }
}
