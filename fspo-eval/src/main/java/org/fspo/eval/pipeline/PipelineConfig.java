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
 * @param initFrom       method -> another method whose run's stage-1 model (sft/) that method's run starts from
 *                       instead of a fresh model ({@code fspo train --init}), e.g. {@code fspo: population}; the
 *                       source is trained first and must not start from another run itself. Default none
 */
public record PipelineConfig(@JsonProperty("methods") List<String> methods,
    @JsonProperty("train_overrides") Map<String, List<String>> trainOverrides,
    @JsonProperty("init_from") Map<String, String> initFrom) {
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
    Map<String, String> from = new LinkedHashMap<>();
    if (initFrom != null) {
      Set<Method> trained = runsOf(methods);
      for (Map.Entry<String, String> e : initFrom.entrySet()) {
        String key = e.getKey(), source = e.getValue();
        String where = "pipeline.init_from." + key + ": ";
        Method m, src;
        try {
          m = Method.fromKey(key);
          src = Method.fromKey(source == null ? "" : source);
        } catch (IllegalArgumentException bad) {
          throw new IllegalArgumentException(where + bad.getMessage());
        }
        if (m.provider() != m || src.provider() != src) {
          Method without = m.provider() != m ? m : src;
          throw new IllegalArgumentException(where + without.key() + " has no run of its own (it is the "
              + without.provider().key() + " run's stage 1); use " + without.provider().key());
        }
        if (!trained.contains(m) || !trained.contains(src) || m == src) {
          throw new IllegalArgumentException(where + "both " + key + " and " + source + " must be distinct runs of "
              + "pipeline.methods " + methods);
        }
        if (initFrom.containsKey(source)) {
          throw new IllegalArgumentException(where + source + " starts from another run itself; start " + key
              + " from a run trained from scratch");
        }
        from.put(key, src.key());
      }
    }
    initFrom = java.util.Collections.unmodifiableMap(from);
  }

  public PipelineConfig(List<String> methods) {
    this(methods, null, null);
  }

  public PipelineConfig(List<String> methods, Map<String, List<String>> trainOverrides) {
    this(methods, trainOverrides, null);
  }

  public static PipelineConfig defaults() {
    return new PipelineConfig(Arrays.stream(Method.values()).map(Method::key).toList(), null, null);
  }

  /**
   * The training runs the methods need, in training order (pref_ft comes from the fspo run): the runs another
   * starts from ({@code init_from}) first, then the others, each group in the order of {@code methods}.
   */
  public List<Method> runs() {
    List<Method> all = new ArrayList<>(runsOf(methods)), ordered = new ArrayList<>();
    for (Method m : all) if (initFrom.containsValue(m.key())) ordered.add(m);
    for (Method m : all) if (!ordered.contains(m)) ordered.add(m);
    return ordered;
  }

  private static Set<Method> runsOf(List<String> methods) {
    Set<Method> runs = new LinkedHashSet<>();
    for (String m : methods) {
      runs.add(Method.fromKey(m).provider());
    }
    return runs;
  }

  /** The run whose stage-1 model {@code run} starts from, or null for a fresh model. */
  public Method initSource(Method run) {
    String source = initFrom.get(run.key());
    return source == null ? null : Method.fromKey(source);
  }

  /** The settings of {@code train_overrides} for one run (none when it has no entry). */
  public List<String> overrides(Method run) {
    return trainOverrides.getOrDefault(run.key(), List.of());
  }
}
