package org.fspo.train.loop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.train.data.Collated;
import org.fspo.train.loss.MetricNames;
import org.fspo.train.loss.PreferenceLoss;
import org.fspo.train.loss.SftLoss;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.optim.Gradients;

/**
 * The gradients and metrics of one optimizer step over its micro-batches (gradient accumulation), for either stage.
 * The loss of the step is a mean over the whole step (all pairs, or all completion tokens), so each micro-batch's
 * dLoss/dLogp is scaled by the step's totals before its backward pass. No IO, no optimizer.
 */
final class TrainStep {
  private TrainStep() {}

  /** The step's accumulated gradients and its metric row (TRL's names). */
  record Outcome(Map<String, Double> metrics, Map<String, org.nd4j.linalg.api.ndarray.INDArray> grads,
      long tokens) {}

  /** Stage 1 ({@link SftLoss}): mean NLL per completion token of chosen rows (and rejected rows when includeRejected). */
  static Outcome sft(CausalLm model, List<Collated> micro, boolean includeRejected) {
    int pairs = 0;
    for (Collated c : micro) pairs += c.pairs();
    return sft(model, micro, includeRejected, sftTokens(micro, includeRejected), pairs);
  }

  /** The completion tokens stage 1's loss is a mean over (its normaliser). */
  static long sftTokens(List<Collated> micro, boolean includeRejected) {
    long total = 0;
    for (Collated c : micro) {
      for (int b = 0; b < c.batch().batchSize(); b++) if (counts(b, includeRejected)) total += scored(c.batch(), b);
    }
    return total;
  }

  /**
   * As above with the step's totals given: a data-parallel worker passes the whole step's (all shards'), so its
   * gradients and metrics are its share of the step's means and the workers' sums are the step's.
   */
  static Outcome sft(CausalLm model, List<Collated> micro, boolean includeRejected, long total, int stepPairs) {
    Gradients acc = new Gradients();
    double sumLogp = 0, chosenLogp = 0;
    long tokens = 0;
    for (Collated c : micro) {
      CausalLm.Forward f = model.forward(c.batch());
      double[] d = new double[c.batch().batchSize()];
      for (int b = 0; b < d.length; b++) {
        if (!counts(b, includeRejected)) continue;
        d[b] = SftLoss.dSeqLogp(total);
        sumLogp += f.seqLogps()[b];
      }
      for (int i = 0; i < c.pairs(); i++) chosenLogp += f.seqLogps()[2 * i];
      tokens += c.realTokens();
      acc.add(model.backward(f, d));
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(MetricNames.LOSS, SftLoss.loss(sumLogp, total));
    m.put(MetricNames.LOGPS_CHOSEN, stepPairs == 0 ? 0 : chosenLogp / stepPairs);
    return new Outcome(m, acc.take(), tokens);
  }

  private static boolean counts(int row, boolean includeRejected) {
    return row % 2 == 0 || includeRejected;
  }

  /** Response tokens row b scores (the response mask from position 1 on; position 0 predicts nothing). */
  static int scored(TokenBatch batch, int b) {
    int n = 0;
    for (int t = 1; t < batch.seqLen(); t++) n += batch.responseMask()[b][t];
    return n;
  }

  /**
   * Stage 2: the preference loss against the cached reference log-probs, mean over the step's pairs. With
   * rpo_alpha &gt; 0 the loss also holds alpha * nll, nll the mean over pairs of -log pi(chosen) / chosen tokens
   * (TRL's rpo_alpha, as a per-pair mean; TRL averages over all chosen tokens of the batch).
   */
  static Outcome fspo(CausalLm policy, RefLogpCache reference, List<Collated> micro, StageConfig stage) {
    int total = 0;
    for (Collated c : micro) total += c.pairs();
    return fspo(policy, reference, micro, stage, total);
  }

  /** As above with the step's pair count given (a data-parallel worker's shard is part of the step). */
  static Outcome fspo(CausalLm policy, RefLogpCache reference, List<Collated> micro, StageConfig stage, int total) {
    Gradients acc = new Gradients();
    PairSums sums = new PairSums();
    double alpha = stage.rpoAlpha();
    long tokens = 0;
    for (Collated c : micro) {
      int n = c.pairs();
      double[][] ref = reference.logps(c);
      CausalLm.Forward f = policy.forward(c.batch());
      double[] pc = new double[n], pr = new double[n], rc = new double[n], rr = new double[n];
      int[] nc = new int[n], nr = new int[n];
      for (int i = 0; i < n; i++) {
        pc[i] = f.seqLogps()[2 * i];
        pr[i] = f.seqLogps()[2 * i + 1];
        rc[i] = ref[i][0];
        rr[i] = ref[i][1];
        nc[i] = Math.max(1, f.responseTokens()[2 * i]);
        nr[i] = Math.max(1, f.responseTokens()[2 * i + 1]);
      }
      PreferenceLoss.Result r = PreferenceLoss.compute(stage.lossType(), stage.logpReduction(), stage.beta(),
          pc, pr, rc, rr, nc, nr);
      double[] d = new double[2 * n];
      boolean mean = stage.logpReduction() == PreferenceLoss.LogpReduction.MEAN_PER_TOKEN;
      for (int i = 0; i < n; i++) {
        double nll = -pc[i] / nc[i];
        d[2 * i] = (r.dPolicyChosen()[i] - alpha / nc[i]) / total; // d(alpha * nll)/d pc = -alpha / nc
        d[2 * i + 1] = r.dPolicyRejected()[i] / total;
        sums.loss += r.losses()[i] + alpha * nll;
        sums.nll += nll;
        sums.rewardsChosen += r.rewardsChosen()[i];
        sums.rewardsRejected += r.rewardsRejected()[i];
        sums.correct += r.rewardsChosen()[i] > r.rewardsRejected()[i] ? 1 : 0;
        sums.margins += r.rewardsChosen()[i] - r.rewardsRejected()[i];
        sums.logpsChosen += mean ? pc[i] / nc[i] : pc[i];
        sums.logpsRejected += mean ? pr[i] / nr[i] : pr[i];
      }
      tokens += c.realTokens();
      acc.add(policy.backward(f, d));
    }
    Map<String, Double> m = sums.meansOver(total);
    if (alpha > 0) m.put(MetricNames.NLL_LOSS, sums.nll / total);
    return new Outcome(m, acc.take(), tokens);
  }

  /** Stage 2's per-pair sums over a step, each becoming the TRL metric of its name as a mean over the step's pairs. */
  private static final class PairSums {
    double loss, rewardsChosen, rewardsRejected, correct, margins, logpsChosen, logpsRejected, nll;

    Map<String, Double> meansOver(int pairs) {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put(MetricNames.LOSS, loss / pairs);
      m.put(MetricNames.REWARDS_CHOSEN, rewardsChosen / pairs);
      m.put(MetricNames.REWARDS_REJECTED, rewardsRejected / pairs);
      m.put(MetricNames.REWARDS_ACCURACIES, correct / pairs);
      m.put(MetricNames.REWARDS_MARGINS, margins / pairs);
      m.put(MetricNames.LOGPS_CHOSEN, logpsChosen / pairs);
      m.put(MetricNames.LOGPS_REJECTED, logpsRejected / pairs);
      return m;
    }
  }
}
