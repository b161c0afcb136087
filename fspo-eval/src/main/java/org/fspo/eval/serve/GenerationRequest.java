package org.fspo.eval.serve;

import java.util.List;
import org.fspo.eval.generate.RepetitionPenalty;

/**
 * A parsed /v1/chat/completions or /v1/completions request (see {@link RequestParser} for the wire fields).
 *
 * @param model        the requested model id
 * @param chat         true for chat completions
 * @param question     the last user message (chat) or the prompt (completions)
 * @param user         OpenAI's {@code user}: a user id of the episode store, or null
 * @param shots        the body's {@code fspo_shots}, or null when absent
 * @param maxTokens    max_tokens (or max_completion_tokens), or null for the server's default
 * @param temperature  0 = greedy; OpenAI's default 1
 * @param topP         nucleus mass, (0, 1]; default 1
 * @param seed         the sampling seed, or null for a fresh one per request
 * @param stop         stop sequences (at most 4), not included in the text
 * @param n            choices, each with its own RNG stream
 * @param stream       answer as Server-Sent Events
 * @param includeUsage stream_options.include_usage: a last chunk with usage
 * @param penalty      presence_penalty and frequency_penalty, default 0
 * @param description  the body's {@code fspo_user_description} (for the oracle), or null
 */
public record GenerationRequest(String model, boolean chat, String question, String user, List<Shot> shots,
    Integer maxTokens, double temperature, double topP, Long seed, List<String> stop, int n, boolean stream,
    boolean includeUsage, RepetitionPenalty penalty, String description) {

  /** One labelled preference of {@code fspo_shots}; dispreferred may be null. */
  public record Shot(String question, String preferred, String dispreferred) {}
}
