package org.fspo.synth.llm;

import java.io.Serializable;

/**
 * The outcome of one logical LLM call (after retries and the optional repair attempt): either the answer text, or a
 * failure with a stable reason code for quarantine.
 *
 * @param isOk     whether {@code content} is a usable answer
 * @param content  the answer (assistant message content), or null on failure
 * @param reason   null when ok; else "client_error" (400/422, never retried), "retries_exhausted",
 *                 "invalid_output" (schema mismatch after one repair), "bad_request" (e.g. 401/403/404),
 *                 "server_unavailable" / "server_refused" (an open {@link CircuitBreaker}: no request was sent)
 * @param detail   one sentence: the server's message or the validation error (never the API key)
 * @param raw      the raw model output or response body (bounded), or null; on success the response body, so that
 *                 callers can read fields beyond the content (eval's judge reads the logprobs)
 * @param attempts HTTP attempts made for this call, repair included (0 when answered from the cache)
 */
public record LlmResult(boolean isOk, String content, String reason, String detail, String raw, int attempts)
    implements Serializable {
  /** Raw texts kept for quarantine are cut to this many characters. */
  public static final int RAW_LIMIT = 4000;

  public static LlmResult ok(String content, int attempts) {
    return new LlmResult(true, content, null, null, null, attempts);
  }

  /** A usable answer that keeps the response body (bounded) it came in. */
  public static LlmResult ok(String content, String raw, int attempts) {
    return new LlmResult(true, content, null, null, bound(raw), attempts);
  }

  public static LlmResult failed(String reason, String detail, String raw, int attempts) {
    return new LlmResult(false, null, reason, detail, bound(raw), attempts);
  }

  public LlmResult withAttempts(int total) {
    return new LlmResult(isOk, content, reason, detail, raw, total);
  }

  /** {@code text} on one line (newlines become spaces), for messages built from server output. */
  public static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }

  static String bound(String text) {
    return text == null || text.length() <= RAW_LIMIT ? text : text.substring(0, RAW_LIMIT) + "...";
  }
}
