package org.fspo.eval.scoring;

import org.fspo.core.prompt.PromptFormat;

/**
 * How one method is scored. The implicit reward of every method is beta * (log pi - log pi_ref) on the same
 * episodes; methods differ in the prompt and in which checkpoints play pi and pi_ref:
 *
 * <pre>
 * method     | prompt                                       | pi                      | pi_ref
 * fspo       | k shots, default format                      | FSPO run, final         | FSPO run, stage-1 SFT
 * fspo_cot   | k shots, COT; scored after its own generated | COT run, final          | COT run, stage-1 SFT
 *            | description (teacher-forced with it)         |                         |
 * pref_ft    | k shots, default format                      | FSPO run, stage-1 SFT   | FSPO run, initial model
 * population | 0 shots always (trained with 0 shots)        | population run, final   | population run, SFT
 * oracle     | k shots + the true description in the prompt | oracle run, final       | oracle run, SFT
 * </pre>
 *
 * @param key              a Method key
 * @param format           the prompt variant
 * @param zeroShot         render every episode with no shots (population)
 * @param selfDescription  generate the description with the policy, then score teacher-forced with it (COT)
 * @param beta             reward scale
 */
public record MethodSpec(String key, PromptFormat format, boolean zeroShot, boolean selfDescription, double beta) {
  public MethodSpec {
    if (selfDescription && !(format.withDescription() && format.teacherForced())) {
      throw new IllegalArgumentException("a self-described method is scored teacher-forced with its description");
    }
  }

  /**
   * The method as scored on runs whose shots did (or did not) show dispreferred responses: the prompt must be the
   * one the run trained on, or the scores measure a format the model never saw.
   */
  public static MethodSpec of(String key, double beta, boolean includeDispreferred) {
    PromptFormat plain = new PromptFormat(includeDispreferred, false, false);
    PromptFormat described = new PromptFormat(includeDispreferred, true, true);
    return switch (key) {
      case "fspo" -> new MethodSpec("fspo", plain, false, false, beta);
      case "fspo_cot" -> new MethodSpec("fspo_cot", described, false, true, beta);
      case "pref_ft" -> new MethodSpec("pref_ft", plain, false, false, beta);
      case "population" -> new MethodSpec("population", plain, true, false, beta);
      case "oracle" -> new MethodSpec("oracle", described, false, false, beta);
      default -> throw new IllegalArgumentException(
          "unknown method '" + key + "'; use one of fspo, fspo_cot, pref_ft, population, oracle");
    };
  }

  public static MethodSpec fspo(double beta) {
    return of("fspo", beta, true);
  }

  public static MethodSpec fspoCot(double beta) {
    return of("fspo_cot", beta, true);
  }

  public static MethodSpec prefFt(double beta) {
    return of("pref_ft", beta, true);
  }

  public static MethodSpec population(double beta) {
    return of("population", beta, true);
  }

  public static MethodSpec oracle(double beta) {
    return of("oracle", beta, true);
  }

  /** The format the method's generated responses are sampled in: COT writes its description first. */
  public PromptFormat generationFormat() {
    return selfDescription ? new PromptFormat(format.includeDispreferred(), true, false) : format;
  }
}
