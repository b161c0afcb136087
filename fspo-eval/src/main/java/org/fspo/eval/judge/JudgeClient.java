package org.fspo.eval.judge;

import java.util.List;
import org.fspo.synth.llm.ChatMessage;

/**
 * The one call the pairwise judge needs: a chat completion, with the first token's top logprobs where the server
 * returns them. Kept this small so the synth module's OpenAI-compatible client, a test double, or any other
 * backend can stand behind it.
 */
@FunctionalInterface
public interface JudgeClient {
  JudgeReply complete(List<ChatMessage> messages);
}
