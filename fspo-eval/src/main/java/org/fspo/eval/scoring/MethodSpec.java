package org.fspo.eval.scoring;

import org.fspo.core.prompt.PromptFormat;
import org.fspo.eval.metrics.Method;

/**
 * How one method is scored on one run: the {@link Method} (which says which checkpoints play pi and pi_ref and how
 * the prompt is built) in the prompt format its run trained on, with the run's beta. The implicit reward of every
 * method is beta * (log pi - log pi_ref) on the same episodes.
 *
 * @param method the method
 * @param format the prompt variant it is scored in
 * @param beta   reward scale
 */
public record MethodSpec(Method method, PromptFormat format, double beta) {
  public MethodSpec {
    if (method.selfDescription() && !(format.withDescription() && format.teacherForced())) {
      throw new IllegalArgumentException("a self-described method is scored teacher-forced with its description");
    }
  }

  /**
   * The method as scored on runs whose shots did (or did not) show dispreferred responses: the prompt must be the
   * one the run trained on, or the scores measure a format the model never saw.
   */
  public static MethodSpec of(Method method, double beta, boolean includeDispreferred) {
    return new MethodSpec(method, method.scoringFormat(includeDispreferred), beta);
  }

  public static MethodSpec of(String key, double beta, boolean includeDispreferred) {
    return of(Method.fromKey(key), beta, includeDispreferred);
  }

  public static MethodSpec fspo(double beta) {
    return of(Method.FSPO, beta, true);
  }

  public static MethodSpec fspoCot(double beta) {
    return of(Method.FSPO_COT, beta, true);
  }

  public static MethodSpec prefFt(double beta) {
    return of(Method.PREF_FT, beta, true);
  }

  public static MethodSpec population(double beta) {
    return of(Method.POPULATION, beta, true);
  }

  public static MethodSpec oracle(double beta) {
    return of(Method.ORACLE, beta, true);
  }

  /** The name in reports and Parquet. */
  public String key() {
    return method.key();
  }

  /** Rendered with no shots at every shot count (population, oracle). */
  public boolean zeroShot() {
    return method.zeroShot();
  }

  /** Generates its description with the policy, then is scored teacher-forced with it (COT). */
  public boolean selfDescription() {
    return method.selfDescription();
  }

  /** The format the method's generated responses are sampled in: COT writes its description first. */
  public PromptFormat generationFormat() {
    return selfDescription() ? new PromptFormat(format.includeDispreferred(), true, false) : format;
  }
}
