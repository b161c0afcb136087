package org.fspo.eval.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fspo.eval.metrics.Method;

/**
 * The {@code pipeline:} config section (conf/demo.yaml documents it): which methods `fspo pipeline` trains and
 * evaluates, and what one method's run changes of the shared train: section. Each method but pref_ft needs its own
 * training run, the train: section with a few data keys changed ({@link Method#trainingSets}), then this section's
 * {@code train_overrides} for it; pref_ft is the fspo run's stage-1 model.
 *
 * @param methods        methods to train and evaluate, among fspo, fspo_cot, pref_ft, population, oracle. Default
 *                       all five
 * @param trainOverrides method -> {@code train.KEY=VALUE} settings applied to that method's run only (after the
 *                       method's own and any --set), e.g. {@code fspo: [train.sft.epochs=8]}. Default none
 */
public record PipelineConfig(@JsonProperty("methods") List<String> methods,
    @JsonProperty("train_overrides") Map<String, List<String>> trainOverrides) {
  public PipelineConfig {
    methods = methods == null ? defaults().methods() : List.copyOf(methods);
    methods.forEach(Method::fromKey);
    if (methods.isEmpty()) {
      throw new IllegalArgumentException("pipeline.methods is empty; list at least fspo");
    }
    Map<String, List<String>> checked = new LinkedHashMap<>();
    if (trainOverrides != null) {
      trainOverrides.forEach((key, sets) -> {
        Method m = Method.fromKey(key);
        if (m.provider() != m) {
          throw new IllegalArgumentException("pipeline.train_overrides." + key + ": " + key + " has no run of its "
              + "own (it is the " + m.provider().key() + " run's stage 1); put the settings under "
              + m.provider().key());
        }
        for (String s : sets == null ? List.<String>of() : sets) {
          if (s == null || !s.startsWith("train.") || s.indexOf('=') < 0) {
            throw new IllegalArgumentException("pipeline.train_overrides." + key + ": '" + s + "' is not a "
                + "train.KEY=VALUE setting (e.g. train.sft.epochs=8)");
          }
        }
        checked.put(key, sets == null ? List.of() : List.copyOf(sets));
      });
    }
    trainOverrides = java.util.Collections.unmodifiableMap(checked);
  }

  public PipelineConfig(List<String> methods) {
    this(methods, null);
  }

  public static PipelineConfig defaults() {
    return new PipelineConfig(Arrays.stream(Method.values()).map(Method::key).toList(), null);
  }

  /** The training runs the methods need, in training order (pref_ft comes from the fspo run). */
  public List<Method> runs() {
    Set<Method> runs = new LinkedHashSet<>();
    for (String m : methods) {
      runs.add(Method.fromKey(m).provider());
    }
    return new ArrayList<>(runs);
  }

  /** The settings of {@code train_overrides} for one run (none when it has no entry). */
  public List<String> overrides(Method run) {
    return trainOverrides.getOrDefault(run.key(), List.of());
  }
}
