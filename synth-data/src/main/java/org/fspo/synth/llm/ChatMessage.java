package org.fspo.synth.llm;

import java.io.Serializable;

/** One chat message of an OpenAI-compatible request: role "system", "user" or "assistant". */
public record ChatMessage(String role, String content) implements Serializable {
  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }
}
