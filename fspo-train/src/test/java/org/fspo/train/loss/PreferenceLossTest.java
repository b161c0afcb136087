package org.fspo.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.fspo.train.loss.PreferenceLoss.LogpReduction;
import org.fspo.train.loss.PreferenceLoss.Result;
import org.fspo.train.loss.PreferenceLoss.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The loss against the numbers transformers/torch computed in every fixture folder, and finite differences. */
class PreferenceLossTest {
  static Stream<Path> fixtureFolders() throws Exception {
    List<Path> dirs = new java.util.ArrayList<>();
    for (Path root : org.fspo.train.model.FixtureRoots.all()) { // every root: the loss does not depend on the model
      try (Stream<Path> s = Files.list(root)) {
        List<Path> here = s.filter(d -> Files.isRegularFile(d.resolve("expected.json"))).sorted().toList();
        assertTrue(!here.isEmpty(), "no fixture folder with expected.json under " + root);
        dirs.addAll(here);
      }
    }
    assertTrue(dirs.size() >= 2, "fixture folders with expected.json under " + org.fspo.train.model.FixtureRoots.all());
    return dirs.stream();
  }

  /** The fixture's four per-pair vectors (from its own policy/ref seq log-probs) and token counts. */
  record Fixture(double beta, double[] pc, double[] pr, double[] rc, double[] rr, int[] nc, int[] nr, JsonNode exp) {
    static Fixture read(Path dir) throws Exception {
      ObjectMapper json = new ObjectMapper();
      JsonNode batch = json.readTree(dir.resolve("batch.json").toFile());
      JsonNode exp = json.readTree(dir.resolve("expected.json").toFile());
      int n = batch.get("pairs").size();
      double[] pc = new double[n], pr = new double[n], rc = new double[n], rr = new double[n];
      int[] nc = new int[n], nr = new int[n];
      for (int i = 0; i < n; i++) {
        int c = batch.get("pairs").get(i).get(0).asInt(), r = batch.get("pairs").get(i).get(1).asInt();
        pc[i] = exp.get("policy_seq_logps").get(c).asDouble();
        pr[i] = exp.get("policy_seq_logps").get(r).asDouble();
        rc[i] = exp.get("ref_seq_logps").get(c).asDouble();
        rr[i] = exp.get("ref_seq_logps").get(r).asDouble();
        nc[i] = exp.get("response_tokens").get(c).asInt();
        nr[i] = exp.get("response_tokens").get(r).asInt();
      }
      return new Fixture(batch.get("beta").asDouble(), pc, pr, rc, rr, nc, nr, exp);
    }

    Result loss(Type type, LogpReduction reduction) {
      return PreferenceLoss.compute(type, reduction, beta, pc, pr, rc, rr, nc, nr);
    }
  }

  static void assertRel(double expected, double actual, double tol, String what) {
    assertEquals(expected, actual, tol * Math.abs(expected), what);
  }

  @ParameterizedTest
  @MethodSource("fixtureFolders")
  void matchesTheFixtureLossesAndRewards(Path dir) throws Exception {
    Fixture f = Fixture.read(dir);
    assertRel(f.exp().get("dpo_loss_mean").asDouble(), f.loss(Type.DPO_SIGMOID, LogpReduction.SUM).meanLoss(), 1e-4,
        dir + " dpo");
    assertRel(f.exp().get("ipo_loss_sum_logps_mean").asDouble(), f.loss(Type.IPO, LogpReduction.SUM).meanLoss(),
        1e-4, dir + " ipo sum");
    assertRel(f.exp().get("ipo_loss_mean_logps_mean").asDouble(),
        f.loss(Type.IPO, LogpReduction.MEAN_PER_TOKEN).meanLoss(), 1e-4, dir + " ipo mean");
    Result dpo = f.loss(Type.DPO_SIGMOID, LogpReduction.SUM);
    for (int i = 0; i < f.pc().length; i++) {
      assertRel(f.exp().get("reward_chosen").get(i).asDouble(), dpo.rewardsChosen()[i], 1e-4, "reward_chosen " + i);
      assertRel(f.exp().get("reward_rejected").get(i).asDouble(), dpo.rewardsRejected()[i], 1e-4,
          "reward_rejected " + i);
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Random rnd = new Random(7);
    for (Type type : Type.values()) {
      for (LogpReduction reduction : LogpReduction.values()) {
        int n = 5;
        double[] pc = new double[n], pr = new double[n], rc = new double[n], rr = new double[n];
        int[] nc = new int[n], nr = new int[n];
        for (int i = 0; i < n; i++) {
          pc[i] = -30 * rnd.nextDouble();
          pr[i] = -30 * rnd.nextDouble();
          rc[i] = -30 * rnd.nextDouble();
          rr[i] = -30 * rnd.nextDouble();
          nc[i] = 1 + rnd.nextInt(9);
          nr[i] = 1 + rnd.nextInt(9);
        }
        double beta = 0.1;
        Result r = PreferenceLoss.compute(type, reduction, beta, pc, pr, rc, rr, nc, nr);
        double eps = 1e-5;
        for (int i = 0; i < n; i++) {
          double[] plus = pc.clone(), minus = pc.clone();
          plus[i] += eps;
          minus[i] -= eps;
          double fd = (PreferenceLoss.compute(type, reduction, beta, plus, pr, rc, rr, nc, nr).losses()[i]
              - PreferenceLoss.compute(type, reduction, beta, minus, pr, rc, rr, nc, nr).losses()[i]) / (2 * eps);
          assertEquals(fd, r.dPolicyChosen()[i], 1e-5 * Math.max(1, Math.abs(fd)), type + " " + reduction + " chosen");
          plus = pr.clone();
          minus = pr.clone();
          plus[i] += eps;
          minus[i] -= eps;
          fd = (PreferenceLoss.compute(type, reduction, beta, pc, plus, rc, rr, nc, nr).losses()[i]
              - PreferenceLoss.compute(type, reduction, beta, pc, minus, rc, rr, nc, nr).losses()[i]) / (2 * eps);
          assertEquals(fd, r.dPolicyRejected()[i], 1e-5 * Math.max(1, Math.abs(fd)), type + " " + reduction + " rej");
        }
      }
    }
  }

  @Test
  void ipoIsZeroAtItsTargetMarginAndDpoIsLog2AtZero() {
    double beta = 0.01; // target margin h = 1/(2 beta) = 50
    Result ipo = PreferenceLoss.compute(Type.IPO, LogpReduction.SUM, beta, new double[] {-10}, new double[] {-60},
        new double[] {-20}, new double[] {-20}, null, null);
    assertEquals(0, ipo.losses()[0], 1e-12);
    assertEquals(0, ipo.dPolicyChosen()[0], 1e-12);
    Result dpo = PreferenceLoss.compute(Type.DPO_SIGMOID, LogpReduction.SUM, 0.1, new double[] {-5},
        new double[] {-7}, new double[] {-5}, new double[] {-7}, null, null);
    assertEquals(Math.log(2), dpo.losses()[0], 1e-12);
    assertEquals(-0.05, dpo.dPolicyChosen()[0], 1e-12, "-beta sigmoid(0)");
    // no overflow far out in the tail
    Result tail = PreferenceLoss.compute(Type.DPO_SIGMOID, LogpReduction.SUM, 1, new double[] {-5000},
        new double[] {0}, new double[] {0}, new double[] {0}, null, null);
    assertEquals(5000, tail.losses()[0], 1e-9);
  }

  @Test
  void sftIsMeanNllPerToken() {
    double[] out = SftLoss.compute(new double[] {-6, -2}, new int[] {3, 1});
    assertEquals(2.0, out[0], 1e-12);
    assertEquals(-0.25, out[1], 1e-12);
  }
}
