package org.fspo.synth.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;

/**
 * Checks one input row (a JSON object, one JSONL line or one Parquet row rendered as JSON) against the import
 * format: string fields user_id, prompt, chosen, rejected, and optional string fields user_description, domain.
 * Other fields are ignored. Pure and Spark-free; {@link ImportJob} maps it over the input.
 *
 * <p>The first problem found decides the reason, checking in this order: invalid_json (not parseable, trailing
 * garbage, or not an object), duplicate_key (a key twice in one object: Jackson's strict duplicate detection),
 * invalid_unicode (a lone surrogate escape in a used field), then per required field in the order above missing_field (absent or null),
 * non_string_field, empty_field (blank after stripping), then non_string_field for the optional fields, then
 * identical_responses (chosen equals rejected after stripping). A blank optional field counts as absent. Texts are
 * kept as given; the prompt renderer strips them.
 */
public final class ImportValidator {
  public static final String INVALID_JSON = "invalid_json";
  public static final String MISSING_FIELD = "missing_field";
  public static final String EMPTY_FIELD = "empty_field";
  public static final String NON_STRING_FIELD = "non_string_field";
  public static final String IDENTICAL_RESPONSES = "identical_responses";
  public static final String DUPLICATE_PAIR = "duplicate_pair";
  public static final String DUPLICATE_KEY = "duplicate_key";
  public static final String INVALID_UNICODE = "invalid_unicode";
  /** Set by {@link ImportJob} (not here) on the row where a damaged gzip file stopped ({@link GzipLines}). */
  public static final String TRUNCATED_INPUT = "truncated_input";
  /** Every quarantine reason of the import, in the order the summary prints them. */
  public static final List<String> REASONS = List.of(INVALID_JSON, DUPLICATE_KEY, INVALID_UNICODE, MISSING_FIELD,
      NON_STRING_FIELD, EMPTY_FIELD, IDENTICAL_RESPONSES, DUPLICATE_PAIR, TRUNCATED_INPUT);

  static final List<String> REQUIRED = List.of("user_id", "prompt", "chosen", "rejected");
  static final List<String> OPTIONAL = List.of("user_description", "domain");

  /** Strict: a repeated key is an error (which value would win is the reader's accident), as is trailing text. */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private ImportValidator() {}

  /**
   * The outcome for one row: either {@code reason == null} and the fields set, or a reason and a one-line detail.
   */
  public record Result(
      String reason, String detail, String userId, String prompt, String chosen, String rejected,
      String userDescription, String domain) {

    static Result bad(String reason, String detail) {
      return new Result(reason, detail, null, null, null, null, null, null);
    }

    public boolean ok() {
      return reason == null;
    }
  }

  public static Result validate(String raw) {
    JsonNode node;
    try {
      node = JSON.readTree(raw.startsWith("\uFEFF") ? raw.substring(1) : raw);
    } catch (JsonProcessingException e) {
      String message = String.valueOf(e.getOriginalMessage());
      if (message.startsWith("Duplicate field ")) {
        return Result.bad(DUPLICATE_KEY, "field " + message.substring("Duplicate field ".length())
            + " appears more than once in the object; keep one");
      }
      return Result.bad(INVALID_JSON, "not valid JSON: " + firstLine(e.getOriginalMessage()));
    }
    if (node == null || !node.isObject()) {
      return Result.bad(INVALID_JSON, "not a JSON object"
          + (node == null ? "" : " (a " + node.getNodeType().name().toLowerCase() + ")"));
    }
    String surrogate = loneSurrogate(node);
    if (surrogate != null) {
      return Result.bad(INVALID_UNICODE, surrogate);
    }
    String[] values = new String[REQUIRED.size()];
    for (int i = 0; i < REQUIRED.size(); i++) {
      String field = REQUIRED.get(i);
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        return Result.bad(MISSING_FIELD, "field '" + field + "' is missing; every row needs " + REQUIRED);
      }
      if (!value.isTextual()) {
        return Result.bad(NON_STRING_FIELD, "field '" + field + "' is " + kind(value) + ", expected a string");
      }
      if (value.asText().isBlank()) {
        return Result.bad(EMPTY_FIELD, "field '" + field + "' is empty");
      }
      values[i] = value.asText();
    }
    String[] optional = new String[OPTIONAL.size()];
    for (int i = 0; i < OPTIONAL.size(); i++) {
      JsonNode value = node.get(OPTIONAL.get(i));
      if (value != null && !value.isNull() && !value.isTextual()) {
        return Result.bad(NON_STRING_FIELD,
            "field '" + OPTIONAL.get(i) + "' is " + kind(value) + ", expected a string or null");
      }
      optional[i] = value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
    }
    if (values[2].strip().equals(values[3].strip())) {
      return Result.bad(IDENTICAL_RESPONSES, "chosen and rejected are the same text");
    }
    return new Result(null, null, values[0], values[1], values[2], values[3], optional[0], optional[1]);
  }

  /**
   * A lone UTF-16 surrogate in a used field (JSON allows the escape "\\ud800" unpaired; UTF-8 cannot encode it, so
   * Parquet would store '?'), described in one line; null when there is none.
   */
  private static String loneSurrogate(JsonNode node) {
    for (List<String> fields : List.of(REQUIRED, OPTIONAL)) {
      for (String field : fields) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
          continue;
        }
        String text = value.asText();
        for (int i = 0; i < text.length(); i++) {
          char c = text.charAt(i);
          boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1));
          if (paired) {
            i++;
          } else if (Character.isSurrogate(c)) {
            return String.format("field '%s' has a lone UTF-16 surrogate \\u%04x at character %d; fix the escape"
                + " or the text's encoding", field, (int) c, i);
          }
        }
      }
    }
    return null;
  }

  private static String kind(JsonNode value) {
    return switch (value.getNodeType()) {
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> "a " + value.getNodeType().name().toLowerCase();
    };
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unreadable";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
