package org.fspo.train.loop;

/**
 * train.data.chat_template: how the few-shot prompt reaches the model.
 *
 * <ul>
 *   <li>{@code none}: the paper's raw few-shot prompt (FewShotPrompt), completions end with the tokenizer's EOS;</li>
 *   <li>{@code auto}: the prompt is one user message rendered by the checkpoint's own chat_template from its
 *       tokenizer_config.json (generation prompt added), completions end with the template's end-of-turn token
 *       ({@link org.fspo.train.tokenizer.ChatTemplate}).</li>
 * </ul>
 */
public enum ChatTemplateMode {
  NONE,
  AUTO
}
