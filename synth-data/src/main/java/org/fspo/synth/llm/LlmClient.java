package org.fspo.synth.llm;

/**
 * A chat-completion model: the one way the synth stages (and eval's judge) reach an LLM. Implementations:
 * {@link OpenAiCompatibleClient} (HTTP), {@link CachingLlmClient} (durable cache in front of another client).
 * Never throws for a failed call: a failure is an {@link LlmResult} with a reason, so that it can be quarantined.
 */
public interface LlmClient extends AutoCloseable {
  LlmResult complete(ChatRequest request);

  @Override
  default void close() {}
}
