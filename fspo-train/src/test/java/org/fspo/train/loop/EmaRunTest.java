package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.train.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * train.optim.ema_decay through TrainJob: sft/ holds the moving average of stage 1's weights, recomputed here from
 * the per-step checkpoints of a run without it (the average never feeds back into training, so that run passes
 * through the same weights), and a run interrupted in either stage resumes to the same final weights.
 */
class EmaRunTest {
  static final String[] SETS = {"sft.steps=4", "fspo.steps=3", "checkpoint.every_steps=1", "checkpoint.keep_last=20"};

  static TrainConfig config(String... more) {
    String[] all = new String[SETS.length + more.length];
    System.arraycopy(SETS, 0, all, 0, SETS.length);
    System.arraycopy(more, 0, all, SETS.length, more.length);
    return TinyRuns.config("gpt2", "ipo", all);
  }

  static LinkedHashMap<String, INDArray> read(Path run, String file) {
    return SafeTensors.readArrays(run.resolve(file));
  }

  @Test
  void sftHoldsTheAverageOfStageOnesWeights(@TempDir Path tmp) {
    Path plain = tmp.resolve("plain"), averaged = tmp.resolve("ema");
    ResumeTest.job(config(), plain, false, (s, n) -> false);
    ResumeTest.job(config("optim.ema_decay=0.6"), averaged, false, (s, n) -> false);
    // by hand: the average starts at step 1's weights, then avg = 0.6 avg + 0.4 w_k for k = 2, 3, 4
    Map<String, INDArray> expected = read(plain, "checkpoints/1-sft-step-000001/model.safetensors");
    for (int k = 2; k <= 4; k++) {
      Map<String, INDArray> w = read(plain, String.format("checkpoints/1-sft-step-%06d/model.safetensors", k));
      expected.replaceAll((name, avg) -> avg.mul(0.6).addi(w.get(name).mul(0.4)));
    }
    Map<String, INDArray> sft = read(averaged, "sft/model.safetensors"), last = read(plain, "sft/model.safetensors");
    int compared = 0;
    for (String name : sft.keySet()) {
      if (!expected.containsKey(name)) continue;
      assertTrue(LoraTrainerTest.rel(sft.get(name), expected.get(name)) < 1e-6, name + " is the average of the steps' weights");
      compared++;
    }
    assertEquals(expected.size(), compared, "every trained tensor is in sft/");
    assertTrue(sft.keySet().stream().anyMatch(n -> LoraTrainerTest.rel(sft.get(n), last.get(n)) > 1e-4),
        "the average is not the last step's weights");
  }

  @ParameterizedTest
  @CsvSource({"sft, 2", "fspo, 2"})
  void aResumedRunEndsWithTheSameAverage(String stage, long stopStep, @TempDir Path tmp) {
    TrainConfig c = config("optim.ema_decay=0.6");
    Path whole = tmp.resolve("whole"), parts = tmp.resolve("parts");
    ResumeTest.job(c, whole, false, (s, n) -> false);
    ResumeTest.job(c, parts, false, (s, n) -> s.equals(stage) && n == stopStep);
    assertFalse(parts.resolve("final").toFile().exists());
    ResumeTest.job(c, parts, true, (s, n) -> false);
    Map<String, INDArray> a = read(whole, "final/model.safetensors"), b = read(parts, "final/model.safetensors");
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) assertTrue(LoraTrainerTest.rel(b.get(name), a.get(name)) <= 1e-6, name);
  }
}
