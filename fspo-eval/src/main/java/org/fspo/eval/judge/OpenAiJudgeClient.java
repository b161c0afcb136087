package org.fspo.eval.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;

/**
 * {@link JudgeClient} over OpenAI-compatible {@code POST /v1/chat/completions}: HTTP/1.1 (the JDK's h2c upgrade makes
 * vLLM drop the body), the judge's parameters, logprobs of the first token, retries of 408/409/429/5xx and timeouts
 * with exponential backoff. A transitional adapter: once synth-data's LlmClient (org.fspo.synth.llm) returns
 * logprobs, this class delegates to it. The API key is read from the environment and never logged.
 */
public final class OpenAiJudgeClient implements JudgeClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JudgeConfig config;
  private final String apiKey;
  private final HttpClient http;

  public OpenAiJudgeClient(JudgeConfig config) {
    this.config = config;
    String key = config.apiKeyEnv() == null ? null : System.getenv(config.apiKeyEnv());
    this.apiKey = key == null || key.isBlank() ? null : key.strip();
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(config.timeoutS())).build();
  }

  @Override
  public JudgeReply complete(List<ChatMessage> messages) {
    String body = requestBody(messages);
    String url = config.baseUrl().replaceAll("/+$", "") + "/chat/completions";
    for (int attempt = 0; ; attempt++) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(config.timeoutS()))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body));
      if (apiKey != null) {
        request.header("Authorization", "Bearer " + apiKey);
      }
      int status;
      String text;
      try {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        status = response.statusCode();
        text = response.body();
      } catch (HttpTimeoutException e) {
        status = 408;
        text = "timeout after " + config.timeoutS() + " s";
      } catch (IOException e) {
        throw new FspoUserException("cannot reach the judge at " + url + " (" + e.getClass().getSimpleName()
            + "); start the server or fix judge.base_url", FspoUserException.NO_INPUT, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the judge", e);
      }
      if (status == 200) {
        return parse(text);
      }
      boolean retryable = status == 408 || status == 409 || status == 429 || status >= 500;
      if (!retryable || attempt >= config.maxRetries()) {
        throw new FspoUserException("judge at " + url + " answered HTTP " + status + " after " + (attempt + 1)
            + " attempt(s): " + oneLine(text) + "; check judge.model and the server", FspoUserException.DATA);
      }
      sleep(250L << attempt);
    }
  }

  String requestBody(List<ChatMessage> messages) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", config.model());
    ArrayNode list = root.putArray("messages");
    messages.forEach(m -> list.addObject().put("role", m.role()).put("content", m.content()));
    root.put("temperature", config.temperature());
    root.put("max_tokens", config.maxTokens());
    root.put("seed", config.seed());
    if (config.logprobs()) {
      root.put("logprobs", true);
      root.put("top_logprobs", config.topLogprobs());
    }
    return root.toString();
  }

  /** choices[0].message.content and choices[0].logprobs.content[0].top_logprobs[*].{token, logprob}. */
  static JudgeReply parse(String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      return new JudgeReply(null, Map.of()); // a garbled body is a malformed verdict, counted, not a crash
    }
    JsonNode choice = root.path("choices").path(0);
    JsonNode content = choice.path("message").path("content");
    Map<String, Double> top = new LinkedHashMap<>();
    for (JsonNode t : choice.path("logprobs").path("content").path(0).path("top_logprobs")) {
      if (t.path("token").isTextual() && t.path("logprob").isNumber()) {
        top.merge(t.get("token").asText(), t.get("logprob").asDouble(), (a, b) -> Math.max(a, b));
      }
    }
    return new JudgeReply(content.isTextual() ? content.asText() : null, top);
  }

  private static String oneLine(String text) {
    String t = text == null ? "" : text.replaceAll("\\s+", " ").strip();
    return t.length() > 200 ? t.substring(0, 200) + "..." : t;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during judge retry backoff", e);
    }
  }
}
