package org.fspo.eval.judge;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fspo.synth.llm.ChatMessage;

/**
 * The user-aware AlpacaEval prompt of the FSPO paper: AlpacaEval's ranking prompt (alpaca_eval_clf_gpt4_turbo,
 * tatsu-lab/alpaca_eval) with its system sentence unchanged, sections {@code ### User Instruction},
 * {@code ### Model Outputs} (models "m" and "M") and {@code ### User Description}, and the answer a single model
 * identifier. The first output shown is "m", the second "M"; {@link PairwiseJudge} asks both orders.
 */
public final class JudgePrompt {
  /** AlpacaEval's system sentence, verbatim. */
  public static final String SYSTEM = "You are a highly efficient assistant, who evaluates and selects the best large "
      + "language model (LLMs) based on the quality of their responses to a given instruction. This process will be "
      + "used to create a leaderboard reflecting the most accurate and human-preferred answers.";

  private static final String TEMPLATE = """
      I require a leaderboard for various large language models. I'll provide you with prompts given to these models \
      and their corresponding outputs. Your task is to assess these responses, and select the model that produces the \
      best output for the user described below.

      ### User Instruction

      {
          "instruction": \"""{instruction}\""",
      }

      ### Model Outputs

      Here are the unordered outputs from the models. Each output is associated with a specific model, identified by \
      a unique model identifier.

      {
          {
              "model_identifier": "m",
              "output": \"""{output_1}\"""
          },
          {
              "model_identifier": "M",
              "output": \"""{output_2}\"""
          }
      }

      ### User Description

      {user_description}

      ### Task

      Evaluate the models based on the quality and relevance of their outputs for this user, given the user \
      description, and select the model that generated the best output for them. Answer by providing the model \
      identifier of the best model. We will use your output as the name of the best model, so make sure your output \
      only contains one of the following model identifiers and nothing else (no quotes, no spaces, no new lines, ...): \
      m or M.

      ### Best Model Identifier
      """;

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(instruction|output_1|output_2|user_description)}");

  private JudgePrompt() {}

  /** System and user messages with {@code first} shown as "m" and {@code second} as "M". */
  public static List<ChatMessage> messages(String instruction, String first, String second, String userDescription) {
    Map<String, String> values = Map.of(
        "instruction", instruction.strip(),
        "output_1", first.strip(),
        "output_2", second.strip(),
        "user_description", userDescription == null ? "(none given)" : userDescription.strip());
    // one pass, so a placeholder-like text inside an output is never substituted again
    Matcher m = PLACEHOLDER.matcher(TEMPLATE);
    StringBuilder user = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(user, Matcher.quoteReplacement(values.get(m.group(1))));
    }
    m.appendTail(user);
    return List.of(ChatMessage.system(SYSTEM), ChatMessage.user(user.toString()));
  }
}
