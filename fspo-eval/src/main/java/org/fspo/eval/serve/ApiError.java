package org.fspo.eval.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error answered in OpenAI's shape, {@code {"error": {"message", "type", "param", "code"}}}, with its HTTP status.
 * Types are OpenAI's: invalid_request_error (400, 404), authentication_error (401), rate_limit_error (429),
 * server_error (500, 503).
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String type;
  private final String param;
  private final String code;

  public ApiError(int status, String type, String message, String param, String code) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** 400 for a request field: names the field and what it must be. */
  public static ApiError invalid(String param, String message) {
    return new ApiError(400, "invalid_request_error", message, param, "invalid_value");
  }

  public static ApiError notFound(String param, String message, String code) {
    return new ApiError(404, "invalid_request_error", message, param, code);
  }

  public int status() {
    return status;
  }

  public ObjectNode body(ObjectMapper json) {
    ObjectNode root = json.createObjectNode();
    ObjectNode e = root.putObject("error");
    e.put("message", getMessage());
    e.put("type", type);
    e.put("param", param);
    e.put("code", code);
    return root;
  }
}
