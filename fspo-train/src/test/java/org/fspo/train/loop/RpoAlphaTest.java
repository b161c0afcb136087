package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.train.data.Collated;
import org.fspo.train.data.PairCollator;
import org.fspo.train.loss.MetricNames;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.optim.Gradients;
import org.fspo.train.tokenizer.WordLevelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * fspo.rpo_alpha adds alpha * mean_i(-log pi(chosen_i) / tokens_i) to the stage-2 loss. Checked against the model's
 * own forward (the NLL by hand from the summed log-probs) and its backward, which is linear in dLoss/dLogp: the
 * gradient with alpha minus the one without must equal backward(d) with d = -alpha / (tokens_i * n) on every
 * chosen sequence and 0 on every rejected one.
 */
class RpoAlphaTest {
  @TempDir Path dir;

  @Test
  void addsTheChosenNllToLossAndGradient() {
    double alpha = 5.0; // large, so the NLL gradient is not lost in float32 next to the IPO one
    TrainConfig c = TinyRuns.config("gpt2", "ipo");
    WordLevelTokenizer tok = TinyRuns.tokenizer();
    TransformerLm policy = ScratchModel.create(c.model(), tok.vocabSize(), tok.eosId(), 11);
    TransformerLm reference = ScratchModel.create(c.model(), tok.vocabSize(), tok.eosId(), 12);
    List<PreferencePair> pairs = TinyRuns.pairs();
    List<Episode> episodes = List.of(
        new Episode("user0", List.of(pairs.get(1)), pairs.get(0)),
        new Episode("user0", List.of(pairs.get(2)), pairs.get(3)),
        new Episode("user1", List.of(pairs.get(7)), pairs.get(8)));
    Collated batch = new PairCollator(tok, TinyRuns.FORMAT, c.model().maxSeqLen(), 4).collate(episodes);
    int n = batch.pairs();
    StageConfig plain = c.fspo();
    StageConfig rpo = new StageConfig(plain.epochs(), plain.steps(), plain.lr(), false, plain.loss(),
        plain.reduction(), plain.beta(), alpha);

    try (RefLogpCache cache = new RefLogpCache(reference, dir, "ref")) {
      TrainStep.Outcome without = TrainStep.fspo(policy, cache, List.of(batch), plain);
      TrainStep.Outcome with = TrainStep.fspo(policy, cache, List.of(batch), rpo);

      CausalLm.Forward f = policy.forward(batch.batch());
      double nll = 0;
      double[] d = new double[2 * n];
      for (int i = 0; i < n; i++) {
        int tokens = f.responseTokens()[2 * i];
        nll += -f.seqLogps()[2 * i] / tokens / n;
        d[2 * i] = -alpha / tokens / n;
      }
      assertTrue(nll > 0);
      assertEquals(nll, with.metrics().get(MetricNames.NLL_LOSS), 1e-9);
      assertFalse(without.metrics().containsKey(MetricNames.NLL_LOSS));
      assertEquals(without.metrics().get(MetricNames.LOSS) + alpha * nll, with.metrics().get(MetricNames.LOSS), 1e-9);
      assertEquals(without.metrics().get(MetricNames.REWARDS_MARGINS), with.metrics().get(MetricNames.REWARDS_MARGINS),
          1e-12);

      Gradients g = new Gradients();
      g.add(policy.backward(f, d));
      Map<String, INDArray> expected = g.take();
      for (Map.Entry<String, INDArray> e : expected.entrySet()) {
        INDArray difference = with.grads().get(e.getKey()).sub(without.grads().get(e.getKey()));
        double scale = Math.max(1e-6, e.getValue().norm2Number().doubleValue());
        double error = difference.sub(e.getValue()).norm2Number().doubleValue() / scale;
        assertTrue(error < 2e-4, e.getKey() + ": relative error " + error);
      }
    }
  }
}
