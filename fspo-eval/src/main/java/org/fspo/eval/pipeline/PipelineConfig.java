package org.fspo.eval.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.fspo.eval.metrics.Method;

/**
 * The {@code pipeline:} config section (conf/demo.yaml documents it): which methods `fspo pipeline` trains and
 * evaluates. Each method but pref_ft needs its own training run, the train: section with a few data keys changed
 * ({@link Method#trainingSets}); pref_ft is the fspo run's stage-1 model.
 *
 * @param methods methods to train and evaluate, among fspo, fspo_cot, pref_ft, population, oracle. Default all five
 */
public record PipelineConfig(@JsonProperty("methods") List<String> methods) {
  public PipelineConfig {
    methods = methods == null ? defaults().methods() : List.copyOf(methods);
    methods.forEach(Method::fromKey);
    if (methods.isEmpty()) {
      throw new IllegalArgumentException("pipeline.methods is empty; list at least fspo");
    }
  }

  public static PipelineConfig defaults() {
    return new PipelineConfig(Arrays.stream(Method.values()).map(Method::key).toList());
  }

  /** The training runs the methods need, in training order (pref_ft comes from the fspo run). */
  public List<Method> runs() {
    Set<Method> runs = new LinkedHashSet<>();
    for (String m : methods) {
      runs.add(Method.fromKey(m).provider());
    }
    return new ArrayList<>(runs);
  }
}
