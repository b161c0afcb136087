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

  public static final PromptFormat TEACHER_FORCED = new PromptFormat(true, true, true);

  public static MethodSpec fspo(double beta) {
    return new MethodSpec("fspo", PromptFormat.DEFAULT, false, false, beta);
  }

  public static MethodSpec fspoCot(double beta) {
    return new MethodSpec("fspo_cot", TEACHER_FORCED, false, true, beta);
  }

  public static MethodSpec prefFt(double beta) {
    return new MethodSpec("pref_ft", PromptFormat.DEFAULT, false, false, beta);
  }

  public static MethodSpec population(double beta) {
    return new MethodSpec("population", PromptFormat.DEFAULT, true, false, beta);
  }

  public static MethodSpec oracle(double beta) {
    return new MethodSpec("oracle", TEACHER_FORCED, false, false, beta);
  }
}
