package org.fspo.eval.metrics;

import java.util.Arrays;
import java.util.List;
import org.fspo.core.prompt.PromptFormat;

/**
 * The methods compared on the same held-out users and pairs: the one home of everything that tells them apart.
 * {@link #key()} is the name used in config, report.json, report.md and the per-pair Parquet; declaration order is the
 * order of tables and plot legends.
 *
 * <pre>
 * method     | run that provides it | training overrides (train.data.*)          | scored prompt             | pi / pi_ref
 * fspo       | fspo                 | none                                       | k shots                   | final / sft
 * fspo_cot   | fspo_cot             | with_description, not teacher_forced       | k shots + own description | final / sft
 * pref_ft    | fspo                 | (the fspo run's stage 1)                   | k shots                   | sft / base
 * population | population           | shots = 0                                  | 0 shots always            | final / sft
 * oracle     | oracle               | with_description, teacher_forced, shots = 0| true description only    | final / sft
 * </pre>
 *
 * The oracle is told who the user is instead of shown: trained and scored on the true description with no shots.
 * Given k shots as well it learned to lean on the shots and ignore the description (0-shot accuracy at chance with
 * the description in the prompt; docs/eval.md, "An oracle of the description alone").
 */
public enum Method {
  /** FSPO: SFT then IPO on few-shot episodes, scored against its stage-1 reference. */
  FSPO("fspo", Prompt.SHOTS, List.of()),
  /** FSPO trained and scored with the user-description (COT) prompt format, after its own generated description. */
  FSPO_COT("fspo_cot", Prompt.SELF_DESCRIBED,
      List.of("train.data.with_description=true", "train.data.teacher_forced=false")),
  /** Few-shot Pref-FT: the fspo run's stage-1 SFT model alone, scored against the run's base (init/) model. */
  PREF_FT("pref_ft", Prompt.SHOTS, null),
  /** Population IPO: the same recipe trained with 0 shots, so it cannot personalize. */
  POPULATION("population", Prompt.ZERO_SHOT, List.of("train.data.shots=0")),
  /** The recipe given the true user description and no shots: an upper bound where data has descriptions. */
  ORACLE("oracle", Prompt.TRUE_DESCRIPTION,
      List.of("train.data.with_description=true", "train.data.teacher_forced=true", "train.data.shots=0"));

  /** How a method's scoring prompt is built; ZERO_SHOT and TRUE_DESCRIPTION show no shots at any shot count. */
  private enum Prompt { SHOTS, ZERO_SHOT, SELF_DESCRIBED, TRUE_DESCRIPTION }

  private final String key;
  private final Prompt prompt;
  private final List<String> trainingSets; // null: no run of its own

  Method(String key, Prompt prompt, List<String> trainingSets) {
    this.key = key;
    this.prompt = prompt;
    this.trainingSets = trainingSets;
  }

  public String key() {
    return key;
  }

  /** The method whose training run provides this one: pref_ft is the fspo run's stage 1, the others their own run. */
  public Method provider() {
    return this == PREF_FT ? FSPO : this;
  }

  /** The --set overrides of the train: section that make this method's run from the shared config. */
  public List<String> trainingSets() {
    if (trainingSets == null) {
      throw new IllegalStateException(key + " has no run of its own; train " + provider().key + " instead");
    }
    return trainingSets;
  }

  /** Scored on the stage-1 (SFT) model against the run's base, instead of the final model against stage 1. */
  public boolean scoresStageOne() {
    return this == PREF_FT;
  }

  /** Rendered with no shots at every shot count (population; the oracle, which has the description instead). */
  public boolean zeroShot() {
    return prompt == Prompt.ZERO_SHOT || prompt == Prompt.TRUE_DESCRIPTION;
  }

  /** Writes its own user description with the policy, then is scored teacher-forced with it (COT). */
  public boolean selfDescription() {
    return prompt == Prompt.SELF_DESCRIBED;
  }

  /** Prompted with the true user description (the oracle), which must therefore be stored for every user it answers. */
  public boolean promptedWithTrueDescription() {
    return prompt == Prompt.TRUE_DESCRIPTION;
  }

  /** Its training data, and so the held-out pairs, must carry the true user description. */
  public boolean needsUserDescriptions() {
    return prompt == Prompt.SELF_DESCRIBED || prompt == Prompt.TRUE_DESCRIPTION;
  }

  /** The prompt the method is scored in, on a run trained with (or without) dispreferred responses in its shots. */
  public PromptFormat scoringFormat(boolean includeDispreferred) {
    boolean described = needsUserDescriptions();
    return new PromptFormat(includeDispreferred, described, described);
  }

  /** The method a run trained, from its data config (pref_ft is never a run's own). */
  public static Method trainedBy(boolean withDescription, boolean teacherForced, int maxShots) {
    if (withDescription) {
      return teacherForced ? ORACLE : FSPO_COT;
    }
    return maxShots == 0 ? POPULATION : FSPO;
  }

  /** Position of a method key in the canonical order; unknown keys sort after all known ones. */
  public static int rank(String key) {
    for (Method m : values()) {
      if (m.key.equals(key)) {
        return m.ordinal();
      }
    }
    return values().length;
  }

  public static Method fromKey(String key) {
    return Arrays.stream(values())
        .filter(m -> m.key.equals(key))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "unknown method '" + key + "'; use one of fspo, fspo_cot, pref_ft, population, oracle"));
  }
}
