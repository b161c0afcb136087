package org.fspo.core.prompt;

/**
 * Which variant of the official FSPO few-shot prompt to render.
 *
 * @param includeDispreferred show each shot's dispreferred response (the default, as in the paper)
 * @param withDescription     the paper's COT variant: ask for a user description first and prefix each completion
 *                            with {@code ## User Description\n{description}\n}
 * @param teacherForced       with {@code withDescription}: append the description to the prompt instead of making the
 *                            model generate it; completions are not prefixed
 */
public record PromptFormat(boolean includeDispreferred, boolean withDescription, boolean teacherForced) {
  public static final PromptFormat DEFAULT = new PromptFormat(true, false, false);

  public PromptFormat {
    if (teacherForced && !withDescription) {
      throw new IllegalArgumentException("teacher_forced needs with_description: it places the user description");
    }
  }
}
