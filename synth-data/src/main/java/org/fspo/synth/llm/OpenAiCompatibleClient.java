package org.fspo.synth.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link LlmClient} over {@code POST {base_url}/chat/completions}, the OpenAI-compatible protocol spoken by vLLM,
 * llama.cpp's server, Ollama's /v1 and TGI. Deliberately HTTP/1.1: the JDK client's default h2c upgrade makes vLLM's
 * server drop the request body. Retries follow {@link RetryPolicy}; in-flight requests of this JVM are bounded by the
 * shared {@link Semaphore} (see {@link ExecutorLimits}), which is held only while a request is on the wire.
 *
 * <p>Request body: {model, messages, temperature, max_tokens, seed, [response_format], ...extra_body}. With a schema
 * and {@code json_schema: true}: {@code response_format: {type: "json_schema", json_schema: {name, schema, strict}}}.
 * Answer: {@code choices[0].message.content}.
 */
public final class OpenAiCompatibleClient implements LlmClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LlmConfig config;
  private final HttpClient http;
  private final Semaphore permits;
  private final ApiKey apiKey;
  private final RetryPolicy retry;
  private final URI endpoint;
  private final AtomicLong httpRequests = new AtomicLong();

  public OpenAiCompatibleClient(LlmConfig config, Semaphore permits) {
    this.config = config;
    this.permits = permits;
    this.apiKey = ApiKey.resolve(config);
    this.retry = RetryPolicy.of(config);
    this.endpoint = URI.create(config.baseUrl() + "/chat/completions");
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofMillis(config.connectTimeoutMs()))
        .build();
  }

  /** HTTP requests sent so far by this client (attempts, not logical calls). */
  public long httpRequests() {
    return httpRequests.get();
  }

  @Override
  public LlmResult complete(ChatRequest request) {
    byte[] body = requestBody(request);
    String lastDetail = null, lastRaw = null;
    for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
      java.util.Optional<String> retryAfter = java.util.Optional.empty();
      try {
        HttpResponse<String> response = send(body);
        int status = response.statusCode();
        String text = apiKey.redact(response.body());
        if (status == 200) {
          String content = contentOf(text);
          if (content != null) {
            return LlmResult.ok(content, text, attempt);
          }
          lastDetail = "HTTP 200 with a body that is not a chat completion";
        } else if (status == 400 || status == 422) {
          return LlmResult.failed("client_error", "HTTP " + status + ": " + serverMessage(text), text, attempt);
        } else if (!RetryPolicy.isRetryable(status)) {
          return LlmResult.failed("bad_request", "HTTP " + status + " from " + endpoint + ": "
              + serverMessage(text), text, attempt);
        } else {
          lastDetail = "HTTP " + status + ": " + serverMessage(text);
          retryAfter = response.headers().firstValue("Retry-After");
        }
        lastRaw = text;
      } catch (IOException e) {
        lastDetail = apiKey.redact(describe(e, endpoint));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return LlmResult.failed("interrupted", "interrupted while calling " + endpoint, null, attempt);
      }
      if (attempt < retry.maxAttempts() && !sleep(retry.delay(attempt, retryAfter))) {
        return LlmResult.failed("interrupted", "interrupted while backing off", lastRaw, attempt);
      }
    }
    return LlmResult.failed("retries_exhausted", retry.maxAttempts() + " attempts failed; last: " + lastDetail,
        lastRaw, retry.maxAttempts());
  }

  private HttpResponse<String> send(byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
        .timeout(Duration.ofMillis(config.requestTimeoutMs()))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (apiKey.isPresent()) {
      builder.header("Authorization", apiKey.bearer());
    }
    permits.acquire();
    try {
      httpRequests.incrementAndGet();
      return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    } finally {
      permits.release();
    }
  }

  private byte[] requestBody(ChatRequest request) {
    ObjectNode node = JSON.createObjectNode();
    node.put("model", request.model());
    node.set("messages", request.canonicalJson().get("messages"));
    node.put("temperature", request.temperature());
    node.put("max_tokens", request.maxTokens());
    node.put("seed", request.seed());
    if (request.responseSchema() != null && config.jsonSchema()) {
      ObjectNode format = node.putObject("response_format");
      format.put("type", "json_schema");
      ObjectNode schema = format.putObject("json_schema");
      schema.put("name", "answer");
      schema.set("schema", request.schemaNode());
      schema.put("strict", true);
    }
    for (Map.Entry<String, Object> extra : config.extraBody().entrySet()) {
      node.set(extra.getKey(), JSON.valueToTree(extra.getValue()));
    }
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize a chat request", e);
    }
  }

  /** choices[0].message.content, or null when the body is not a readable chat completion. */
  static String contentOf(String body) {
    try {
      JsonNode content = JSON.readTree(body).path("choices").path(0).path("message").path("content");
      return content.isTextual() ? content.asText() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A transport failure in words, naming the host: the JDK's HttpClient throws a ConnectException whose message is
   * null (the cause holds "Connection refused"), so the class name alone would read "ConnectException: null".
   */
  static String describe(IOException e, URI endpoint) {
    String where = endpoint.getHost() + ":" + (endpoint.getPort() < 0
        ? ("https".equals(endpoint.getScheme()) ? 443 : 80) : endpoint.getPort());
    String message = null;
    for (Throwable cause = e; cause != null && message == null; cause = cause.getCause()) {
      message = cause.getMessage() == null || cause.getMessage().isBlank() ? null : cause.getMessage().strip();
    }
    if (e instanceof java.net.http.HttpConnectTimeoutException) {
      return "no connection to " + where + " within the connect timeout";
    }
    if (e instanceof java.net.http.HttpTimeoutException) {
      return "no answer from " + where + " within the request timeout";
    }
    if (e instanceof java.net.ConnectException || e.getCause() instanceof java.net.ConnectException) {
      return message == null || message.equalsIgnoreCase("connection refused") ? "connection refused to " + where
          : "cannot connect to " + where + ": " + message;
    }
    if (e instanceof java.net.UnknownHostException || e.getCause() instanceof java.nio.channels.UnresolvedAddressException) {
      return "unknown host " + endpoint.getHost();
    }
    return e.getClass().getSimpleName() + " talking to " + where + (message == null ? "" : ": " + message);
  }

  /** The server's error message ({error: {message}} or {message} or {detail}), else the body's start. */
  static String serverMessage(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      for (JsonNode candidate : new JsonNode[] {node.path("error").path("message"), node.path("error"),
          node.path("message"), node.path("detail")}) {
        if (candidate.isTextual()) {
          return candidate.asText();
        }
      }
    } catch (IOException | RuntimeException notJson) {
      // fall through to the raw start
    }
    String text = body == null ? "" : body.strip();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  private static boolean sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public String toString() {
    return "OpenAiCompatibleClient[" + endpoint + ", key=" + apiKey + "]";
  }
}
