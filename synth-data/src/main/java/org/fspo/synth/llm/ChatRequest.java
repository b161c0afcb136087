package org.fspo.synth.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One chat-completion call, everything that determines its answer. {@link #cacheKey()} is SHA-256 over the
 * canonical JSON of (model, messages, temperature, max_tokens, seed, response schema), so two calls with the same key
 * are the same call and the durable cache answers the second one.
 *
 * @param model          server model name
 * @param messages       the conversation
 * @param temperature    sampling temperature
 * @param maxTokens      completion token limit
 * @param seed           per-request seed, sent to the server as "seed"
 * @param responseSchema JSON schema (as JSON text) the answer must match, or null for free text
 */
public record ChatRequest(
    String model, List<ChatMessage> messages, double temperature, int maxTokens, long seed, String responseSchema)
    implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();

  public ChatRequest {
    messages = List.copyOf(messages);
  }

  /** The same request with more messages appended (used by the one repair attempt). */
  public ChatRequest followUp(ChatMessage... more) {
    List<ChatMessage> all = new java.util.ArrayList<>(messages);
    all.addAll(List.of(more));
    return new ChatRequest(model, all, temperature, maxTokens, seed, responseSchema);
  }

  /** The canonical JSON of everything that determines the answer (no server-specific extras, no key). */
  public ObjectNode canonicalJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("model", model);
    ArrayNode array = node.putArray("messages");
    for (ChatMessage message : messages) {
      array.addObject().put("role", message.role()).put("content", message.content());
    }
    node.put("temperature", temperature);
    node.put("max_tokens", maxTokens);
    node.put("seed", seed);
    if (responseSchema != null) {
      node.set("response_schema", schemaNode());
    }
    return node;
  }

  /** Hex SHA-256 of {@link #canonicalJson()}. */
  public String cacheKey() {
    try {
      byte[] bytes = JSON.writeValueAsBytes(canonicalJson());
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot hash a chat request", e);
    }
  }

  /** The response schema parsed, or null. */
  public JsonNode schemaNode() {
    if (responseSchema == null) {
      return null;
    }
    try {
      return JSON.readTree(responseSchema.getBytes(StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("response schema is not valid JSON: " + e.getMessage());
    }
  }
}
