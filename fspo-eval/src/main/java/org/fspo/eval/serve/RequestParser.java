package org.fspo.eval.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.fspo.eval.generate.RepetitionPenalty;

/**
 * Reads an OpenAI request body strictly: a known field of the wrong type or out of range is a 400 naming the field;
 * fields this server does not use (logprobs, logit_bias, ...) are ignored, as a client may always send them.
 *
 * <pre>
 * model                       string, required
 * messages (chat)             non-empty array of {role, content}; content a string or [{type: "text", text}];
 *                             the last "user" message is the question; other roles are ignored
 * prompt (completions)        string, or an array of one string: the question
 * max_tokens, max_completion_tokens   integer >= 1 (the latter wins when both are sent)
 * temperature                 number in [0, 2], default 1;  top_p  number in (0, 1], default 1
 * seed                        integer;  n  integer in [1, 16], default 1
 * presence_penalty, frequency_penalty   number in [-2, 2], default 0 (over the response's tokens, as OpenAI's)
 * stop                        string or array of at most 4 non-empty strings
 * stream                      boolean;  stream_options.include_usage  boolean
 * user                        string: a user id of --episodes
 * fspo_shots                  array of {question, preferred, dispreferred?} strings, at most 64
 * fspo_user_description       non-blank string: the user description a description-prompted model (oracle) reads
 * </pre>
 */
public final class RequestParser {
  static final int MAX_N = 16, MAX_STOPS = 4, MAX_SHOTS = 64;
  private final ObjectMapper json;

  public RequestParser(ObjectMapper json) {
    this.json = json;
  }

  public GenerationRequest parse(String body, boolean chat) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiError(400, "invalid_request_error", "the body is not valid JSON: "
          + e.getOriginalMessage().lines().findFirst().orElse(""), null, "invalid_json");
    }
    if (root == null || !root.isObject()) {
      throw new ApiError(400, "invalid_request_error", "the body must be a JSON object", null, "invalid_json");
    }
    String model = string(root, "model", true);
    String question = chat ? lastUserMessage(root) : prompt(root);
    Integer maxTokens = positiveInt(root, "max_completion_tokens");
    if (maxTokens == null) maxTokens = positiveInt(root, "max_tokens");
    double temperature = number(root, "temperature", 1.0, 0, 2, true);
    double topP = number(root, "top_p", 1.0, 0, 1, false);
    Long seed = present(root, "seed") ? integral(root, "seed").longValue() : null;
    int n = present(root, "n") ? integral(root, "n").intValue() : 1;
    if (n < 1 || n > MAX_N) throw ApiError.invalid("n", "n must be between 1 and " + MAX_N + ", got " + n);
    boolean stream = bool(root, "stream");
    boolean includeUsage = false;
    if (present(root, "stream_options")) {
      JsonNode o = root.get("stream_options");
      if (!o.isObject()) throw ApiError.invalid("stream_options", "stream_options must be an object");
      includeUsage = bool(o, "include_usage");
    }
    RepetitionPenalty penalty = new RepetitionPenalty(number(root, "presence_penalty", 0, -2, 2, true),
        number(root, "frequency_penalty", 0, -2, 2, true));
    String description = string(root, "fspo_user_description", false);
    if (description != null && description.isBlank()) {
      throw ApiError.invalid("fspo_user_description", "fspo_user_description must not be blank");
    }
    return new GenerationRequest(model, chat, question, string(root, "user", false), shots(root), maxTokens,
        temperature, topP, seed, stops(root), n, stream, includeUsage, penalty, description);
  }

  private static boolean present(JsonNode o, String field) {
    return o.has(field) && !o.get(field).isNull();
  }

  private static String string(JsonNode o, String field, boolean required) {
    if (!present(o, field)) {
      if (required) throw ApiError.invalid(field, "'" + field + "' is required");
      return null;
    }
    if (!o.get(field).isTextual()) throw ApiError.invalid(field, "'" + field + "' must be a string");
    return o.get(field).asText();
  }

  private static JsonNode integral(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) throw ApiError.invalid(field, field + " must be an integer");
    return v;
  }

  private static Integer positiveInt(JsonNode o, String field) {
    if (!present(o, field)) return null;
    long v = integral(o, field).longValue();
    if (v < 1) throw ApiError.invalid(field, field + " must be at least 1, got " + v);
    return (int) Math.min(v, Integer.MAX_VALUE);
  }

  private static double number(JsonNode o, String field, double dflt, double lo, double hi, boolean loInclusive) {
    if (!present(o, field)) return dflt;
    JsonNode v = o.get(field);
    if (!v.isNumber()) throw ApiError.invalid(field, field + " must be a number");
    double d = v.asDouble();
    if (!(loInclusive ? d >= lo : d > lo) || !(d <= hi)) {
      throw ApiError.invalid(field, field + " must be in " + (loInclusive ? "[" : "(") + lo + ", " + hi + "], got " + d);
    }
    return d;
  }

  private static boolean bool(JsonNode o, String field) {
    if (!present(o, field)) return false;
    if (!o.get(field).isBoolean()) throw ApiError.invalid(field, field + " must be true or false");
    return o.get(field).asBoolean();
  }

  private static String lastUserMessage(JsonNode root) {
    JsonNode messages = root.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw ApiError.invalid("messages", "'messages' must be a non-empty array of {role, content}");
    }
    String question = null;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String param = "messages[" + i + "]";
      if (!m.isObject() || !m.path("role").isTextual()) {
        throw ApiError.invalid(param, param + " must be an object with a string 'role'");
      }
      if (m.get("role").asText().equals("user")) question = content(m.get("content"), param + ".content");
    }
    if (question == null || question.isBlank()) {
      throw ApiError.invalid("messages", "'messages' needs a user message with text: the last one is the question");
    }
    return question;
  }

  /** A string, or an array of content parts whose "text" parts are joined. */
  private static String content(JsonNode c, String param) {
    if (c != null && c.isTextual()) return c.asText();
    if (c != null && c.isArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonNode part : c) {
        if (!part.isObject() || !part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
          throw ApiError.invalid(param, param + " parts must be {\"type\": \"text\", \"text\": string}");
        }
        text.append(part.get("text").asText());
      }
      return text.toString();
    }
    throw ApiError.invalid(param, param + " must be a string or an array of text parts");
  }

  private static String prompt(JsonNode root) {
    JsonNode p = root.get("prompt");
    if (p != null && p.isArray() && p.size() == 1 && p.get(0).isTextual()) p = p.get(0);
    if (p == null || !p.isTextual() || p.asText().isBlank()) {
      throw ApiError.invalid("prompt", "'prompt' must be a non-empty string (the question)");
    }
    return p.asText();
  }

  private static List<String> stops(JsonNode root) {
    if (!present(root, "stop")) return List.of();
    JsonNode s = root.get("stop");
    List<String> out = new ArrayList<>();
    if (s.isTextual()) {
      out.add(s.asText());
    } else if (s.isArray() && s.size() <= MAX_STOPS) {
      for (JsonNode e : s) {
        if (!e.isTextual()) throw ApiError.invalid("stop", "stop must be a string or an array of strings");
        out.add(e.asText());
      }
    } else {
      throw ApiError.invalid("stop", "stop must be a string or an array of at most " + MAX_STOPS + " strings");
    }
    if (out.stream().anyMatch(String::isEmpty)) throw ApiError.invalid("stop", "stop sequences must not be empty");
    return out;
  }

  private static List<GenerationRequest.Shot> shots(JsonNode root) {
    if (!present(root, "fspo_shots")) return null;
    JsonNode a = root.get("fspo_shots");
    if (!a.isArray() || a.size() > MAX_SHOTS) {
      throw ApiError.invalid("fspo_shots", "fspo_shots must be an array of at most " + MAX_SHOTS
          + " {question, preferred, dispreferred?}");
    }
    List<GenerationRequest.Shot> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      JsonNode s = a.get(i);
      String param = "fspo_shots[" + i + "]";
      if (!s.isObject()) throw ApiError.invalid(param, param + " must be an object {question, preferred, dispreferred?}");
      String q = string(s, "question", false), w = string(s, "preferred", false), l = string(s, "dispreferred", false);
      if (q == null || q.isBlank() || w == null || w.isBlank()) {
        throw ApiError.invalid(param, param + " needs non-empty 'question' and 'preferred' strings");
      }
      out.add(new GenerationRequest.Shot(q, w, l == null || l.isBlank() ? null : l));
    }
    return out;
  }
}
