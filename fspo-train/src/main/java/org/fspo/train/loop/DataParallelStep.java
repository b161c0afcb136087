package org.fspo.train.loop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.episode.Episode;
import org.fspo.train.checkpoint.TrainerState;
import org.fspo.train.data.Collated;
import org.fspo.train.data.PairCollator;
import org.fspo.train.model.CausalLm;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One optimizer step's gradients and metrics over the step's episodes, on one worker of {@link Replicas}: this
 * worker's shard is cut into micro-batches of batch_pairs, {@link TrainStep} computes them normalised by the whole
 * step's totals (pairs; stage 1's completion tokens, summed across workers first), and the workers' gradients,
 * metric sums and token counts are summed. Every loss here is a mean over the step, so normalising each shard by
 * the step's totals makes the sum over workers the single-process step's gradient and metrics exactly (up to float
 * summation order). Under local SGD the gradients stay local, scaled by N: each worker steps on its shard's mean.
 * {@link Replicas#single()} is the single-process step, nothing added.
 */
final class DataParallelStep {
  private final PairCollator collator;
  private final int batchPairs;
  private final Replicas replicas;

  DataParallelStep(PairCollator collator, int batchPairs, Replicas replicas) {
    this.collator = collator;
    this.batchPairs = batchPairs;
    this.replicas = replicas;
  }

  TrainStep.Outcome compute(String stage, StageConfig sc, CausalLm model, RefLogpCache ref, List<Episode> step) {
    List<Episode> mine = replicas.shard(step);
    List<Collated> micro = new ArrayList<>();
    for (int i = 0; i < mine.size(); i += batchPairs) {
      micro.add(collator.collate(mine.subList(i, Math.min(mine.size(), i + batchPairs))));
    }
    if (replicas.isSingle()) {
      return stage.equals(TrainerState.SFT) ? TrainStep.sft(model, micro, sc.includeRejected())
          : TrainStep.fspo(model, ref, micro, sc);
    }
    TrainStep.Outcome o;
    if (stage.equals(TrainerState.SFT)) {
      long tokens = TrainStep.sftTokens(micro, sc.includeRejected());
      long total = (long) replicas.sync().sum(new double[] {tokens})[0]; // exact: counts far below 2^53
      o = TrainStep.sft(model, micro, sc.includeRejected(), total, step.size());
    } else {
      o = TrainStep.fspo(model, ref, micro, sc, step.size());
    }
    LinkedHashMap<String, INDArray> grads = withZeros(o.grads(), model);
    if (replicas.config().localSgd()) {
      for (INDArray g : grads.values()) g.muli(replicas.world());
    } else {
      replicas.sync().sum(grads);
    }
    return combine(o, grads);
  }

  /** A worker with an empty shard has no gradients: zeros, so every worker sums the same names and shapes. */
  private static LinkedHashMap<String, INDArray> withZeros(Map<String, INDArray> grads, CausalLm model) {
    LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> p : model.parameters().entrySet()) {
      INDArray g = grads.get(p.getKey());
      out.put(p.getKey(), g != null ? g : p.getValue().ulike().assign(0));
    }
    return out;
  }

  /** Sums the metric values (each already a share of the step's mean) and token counts across the workers. */
  private TrainStep.Outcome combine(TrainStep.Outcome o, LinkedHashMap<String, INDArray> grads) {
    List<String> names = new ArrayList<>(o.metrics().keySet());
    double[] values = new double[names.size() + 1];
    for (int i = 0; i < names.size(); i++) values[i] = o.metrics().get(names.get(i));
    values[names.size()] = o.tokens();
    double[] sums = replicas.sync().sum(values);
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) metrics.put(names.get(i), sums[i]);
    return new TrainStep.Outcome(metrics, grads, (long) sums[names.size()]);
  }
}
