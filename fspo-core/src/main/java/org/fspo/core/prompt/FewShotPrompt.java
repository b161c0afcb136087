package org.fspo.core.prompt;

import java.util.List;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;

/**
 * Renders an {@link Episode} exactly as the official FSPO code's {@code shots_to_text} (preference_datasets.py).
 * With dispreferred examples and two shots:
 *
 * <pre>
 * # Example 1\n## Question \n{q1}\n## Preferred Response \n{w1}\n## Dispreferred Response \n{l1}\n\n
 * # Example 2\n## Question \n{q2}\n## Preferred Response \n{w2}\n## Dispreferred Response \n{l2}\n\n
 * # Task\nGiven the examples above, generate a preferred response to the following question.\n## Question \n{q}\n
 * </pre>
 *
 * and the completions {@code ## Preferred Response \n{chosen}\n} and {@code ## Preferred Response \n{rejected}\n}.
 * Note the space before {@code \n} after each "Question" and "Response" header. Every text is stripped first.
 * Variants: without dispreferred examples the shot shows {@code ## Response \n{w}\n} and completions use
 * {@code ## Response \n}; with zero shots the task line is "Generate a response to the following question." in
 * every variant, COT included (shots_to_text checks num_shots == 0 first);
 * the COT and teacher-forced variants are described on {@link PromptFormat}.
 *
 * <p>This is the one place prompt text is built. With a {@link ChatFormat} other than {@link ChatFormat#NONE} the
 * prompt above becomes the single user message of the checkpoint's chat template (generation prompt added) and each
 * completion ends with the template's end-of-turn text; training, scoring, sampling and {@code fspo render} all call
 * {@link #render(List, PreferencePair, PromptFormat, ChatFormat)}.
 */
public final class FewShotPrompt {
  /** Opens the COT completion (or, teacher-forced, ends the prompt); the description follows on its own line. */
  public static final String DESCRIPTION_HEADER = "## User Description\n";

  static final String TASK_PREFERRED = "Given the examples above, generate a preferred response to the following question.";
  static final String TASK_PLAIN = "Given the examples above, generate a response to the following question.";
  static final String TASK_ZERO_SHOT = "Generate a response to the following question.";
  static final String TASK_COT_PREFERRED =
      "Generate a user description based on the examples above. Then, generate a preferred response to the following question.";
  static final String TASK_COT_PLAIN =
      "Generate a user description based on the examples above. Then, generate a response to the following question.";

  private FewShotPrompt() {}

  public static RenderedPair render(Episode episode, PromptFormat format) {
    return render(episode.shots(), episode.query(), format);
  }

  public static RenderedPair render(List<PreferencePair> shots, PreferencePair query, PromptFormat format) {
    return render(shots, query, format, ChatFormat.NONE);
  }

  public static RenderedPair render(Episode episode, PromptFormat format, ChatFormat chat) {
    return render(episode.shots(), episode.query(), format, chat);
  }

  /** The prompt and completions, the prompt wrapped by {@code chat} and each completion closed by its end of turn. */
  public static RenderedPair render(List<PreferencePair> shots, PreferencePair query, PromptFormat format,
      ChatFormat chat) {
    StringBuilder prompt = new StringBuilder();
    for (int i = 0; i < shots.size(); i++) {
      appendShot(prompt, i + 1, shots.get(i), format.includeDispreferred());
    }
    prompt.append("# Task\n").append(taskLine(shots.size(), format)).append('\n');
    prompt.append("## Question \n").append(query.prompt().strip()).append('\n');
    String description = query.userDescription() == null ? "" : query.userDescription().strip();
    String descriptionBlock = DESCRIPTION_HEADER + description + "\n";
    if (format.withDescription() && format.teacherForced()) {
      prompt.append(descriptionBlock);
    }
    String completionPrefix = format.withDescription() && !format.teacherForced() ? descriptionBlock : "";
    String header = responseHeader(format);
    return chat.wrap(new RenderedPair(
        prompt.toString(),
        completionPrefix + header + query.chosen().strip() + "\n",
        completionPrefix + header + query.rejected().strip() + "\n"));
  }

  /** The line a completion's response follows: "## Preferred Response \n", or "## Response \n" without dispreferred. */
  public static String responseHeader(PromptFormat format) {
    return format.includeDispreferred() ? "## Preferred Response \n" : "## Response \n";
  }

  private static void appendShot(StringBuilder out, int number, PreferencePair shot, boolean includeDispreferred) {
    out.append("# Example ").append(number).append('\n');
    out.append("## Question \n").append(shot.prompt().strip()).append('\n');
    if (includeDispreferred) {
      out.append("## Preferred Response \n").append(shot.chosen().strip()).append('\n');
      out.append("## Dispreferred Response \n").append(shot.rejected().strip()).append('\n');
    } else {
      out.append("## Response \n").append(shot.chosen().strip()).append('\n');
    }
    out.append('\n');
  }

  static String taskLine(int shotCount, PromptFormat format) {
    // shots_to_text tests num_shots == 0 before the COT branch: with no examples there is nothing to describe, so
    // every variant gets the plain zero-shot line (a COT completion still opens with its description block).
    if (shotCount == 0) {
      return TASK_ZERO_SHOT;
    }
    if (format.withDescription()) {
      return format.includeDispreferred() ? TASK_COT_PREFERRED : TASK_COT_PLAIN;
    }
    return format.includeDispreferred() ? TASK_PREFERRED : TASK_PLAIN;
  }
}
