package org.fspo.synth.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Structured answers: parse the model's text as JSON and check it against the request's schema; on failure make
 * exactly one repair call (the invalid answer plus the error, asking for JSON only); still invalid means quarantine
 * with the raw text ({@code reason = invalid_output}).
 *
 * <p>The check covers the subset of JSON Schema the synth prompts use: "type" (object, array, string, integer,
 * number, boolean), "properties", "required", "items", "enum", "minItems", "minLength". A ```json fence around the
 * answer is tolerated, since small models add one even when told not to.
 */
public final class JsonAnswer {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A validated answer, or a failure to quarantine. */
  public record Parsed(JsonNode value, LlmResult result) {
    public boolean isOk() {
      return value != null;
    }
  }

  private JsonAnswer() {}

  public static Parsed complete(LlmClient client, ChatRequest request) {
    LlmResult first = client.complete(request);
    if (!first.isOk()) {
      return new Parsed(null, first);
    }
    JsonNode schema = request.schemaNode();
    String error = check(first.content(), schema);
    if (error == null) {
      return new Parsed(parse(first.content()), first);
    }
    ChatRequest repair = request.followUp(ChatMessage.assistant(first.content()),
        ChatMessage.user("Your answer is invalid: " + error + ". Reply with only the corrected JSON, no other text."));
    LlmResult second = client.complete(repair);
    int attempts = first.attempts() + second.attempts();
    if (!second.isOk()) {
      return new Parsed(null, second.withAttempts(attempts));
    }
    String secondError = check(second.content(), schema);
    if (secondError == null) {
      return new Parsed(parse(second.content()), second.withAttempts(attempts));
    }
    return new Parsed(null, LlmResult.failed("invalid_output", "answer still invalid after one repair: "
        + secondError, second.content(), attempts));
  }

  /** Null if {@code text} parses and matches {@code schema}, else a one-line error. */
  public static String check(String text, JsonNode schema) {
    JsonNode value = parse(text);
    if (value == null) {
      return "not valid JSON";
    }
    return schema == null ? null : validate(value, schema, "$");
  }

  static JsonNode parse(String text) {
    String body = text.strip();
    if (body.startsWith("```")) {
      body = body.replaceFirst("^```[a-zA-Z]*\\s*", "").replaceFirst("\\s*```$", "");
    }
    try {
      return JSON.readTree(body);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static String validate(JsonNode value, JsonNode schema, String path) {
    String type = schema.path("type").asText("");
    String typeError = switch (type) {
      case "object" -> value.isObject() ? null : "an object";
      case "array" -> value.isArray() ? null : "an array";
      case "string" -> value.isTextual() ? null : "a string";
      case "integer" -> value.isIntegralNumber() ? null : "an integer";
      case "number" -> value.isNumber() ? null : "a number";
      case "boolean" -> value.isBoolean() ? null : "a boolean";
      default -> null;
    };
    if (typeError != null) {
      return path + " must be " + typeError;
    }
    if (schema.has("enum")) {
      boolean found = false;
      for (JsonNode allowed : schema.get("enum")) {
        found |= allowed.equals(value);
      }
      if (!found) {
        return path + " must be one of " + schema.get("enum");
      }
    }
    if (value.isTextual() && value.asText().strip().length() < schema.path("minLength").asInt(0)) {
      return path + " is too short";
    }
    if (value.isArray()) {
      if (value.size() < schema.path("minItems").asInt(0)) {
        return path + " needs at least " + schema.path("minItems").asInt() + " items";
      }
      for (int i = 0; i < value.size() && schema.has("items"); i++) {
        String error = validate(value.get(i), schema.get("items"), path + "[" + i + "]");
        if (error != null) {
          return error;
        }
      }
    }
    if (value.isObject()) {
      for (JsonNode required : schema.path("required")) {
        if (!value.has(required.asText())) {
          return path + " is missing '" + required.asText() + "'";
        }
      }
      Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
      while (properties.hasNext()) {
        Map.Entry<String, JsonNode> property = properties.next();
        if (value.has(property.getKey())) {
          String error = validate(value.get(property.getKey()), property.getValue(), path + "." + property.getKey());
          if (error != null) {
            return error;
          }
        }
      }
    }
    return null;
  }
}
