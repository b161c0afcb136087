package org.fspo.core.prompt;

/**
 * How the few-shot prompt is presented to the model: as raw text ({@link #NONE}, the paper's format) or as one user
 * message of a chat, rendered by the checkpoint's own chat template (fspo-train's {@code ChatTemplate}).
 * {@link FewShotPrompt#render(java.util.List, org.fspo.core.episode.PreferencePair, PromptFormat, ChatFormat)}
 * applies it, so training, scoring, sampling and {@code fspo render} see the same text.
 *
 * <p>With a chat template the prompt {@code P} becomes, e.g. for Qwen2.5,
 * {@code <|im_start|>system\n...<|im_end|>\n<|im_start|>user\nP<|im_end|>\n<|im_start|>assistant\n}, and each
 * completion {@code C} becomes {@code C<|im_end|>}: the assistant's turn ends with the template's end-of-turn token.
 */
public interface ChatFormat {
  /** The paper's raw prompt: no wrapping, completions end as rendered (the trainer appends the tokenizer's EOS). */
  ChatFormat NONE = new ChatFormat() {
    @Override
    public String prompt(String userMessage) {
      return userMessage;
    }

    @Override
    public String endOfTurn() {
      return "";
    }

    @Override
    public String toString() {
      return "none";
    }
  };

  /** The text the model reads before its reply, with {@code userMessage} as the only user turn. */
  String prompt(String userMessage);

  /** The text that closes the model's reply (an end-of-turn token such as {@code <|eot_id|>}); "" for none. */
  String endOfTurn();

  /**
   * A pair as {@link FewShotPrompt} renders it without chat, as the model sees it with this format: the prompt as
   * the only user message, each completion followed by {@link #endOfTurn()}. The one definition of the wrapping.
   */
  default RenderedPair wrap(RenderedPair raw) {
    return new RenderedPair(prompt(raw.prompt()), raw.chosen() + endOfTurn(), raw.rejected() + endOfTurn());
  }

  /** Whether this wraps the prompt in a chat; false for {@link #NONE}. */
  default boolean isChat() {
    return this != NONE;
  }
}
