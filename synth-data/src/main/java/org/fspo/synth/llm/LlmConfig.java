package org.fspo.synth.llm;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.core.config.ConfigPath;

/**
 * The {@code synth.llm} config section: how to reach the OpenAI-compatible server. Every key is documented with its
 * default in conf/reviews.yaml. The API key itself is never part of the config: only where to read it from.
 *
 * @param baseUrl             server base URL up to and including "/v1", e.g. "http://127.0.0.1:8000/v1" (vLLM),
 *                            "http://127.0.0.1:11434/v1" (Ollama), "http://127.0.0.1:8080/v1" (llama.cpp, TGI).
 * @param apiKeyEnv           name of the environment variable holding the API key, or null. Default null.
 * @param apiKeyFile          path of a file holding the API key (first line), or null. Default null.
 * @param connectTimeoutMs    TCP connect timeout. Default 5000.
 * @param requestTimeoutMs    whole-request timeout; a slower answer counts as a failed attempt. Default 120000.
 * @param globalConcurrency   most requests in flight across the whole job. Default 16.
 * @param executors           executors the global limit is divided over (per-executor permits =
 *                            ceil(global / executors)); 0 asks Spark at start. Default 0.
 * @param maxAttempts         HTTP attempts per call, the first included, for retryable failures (408, 409, 429, 5xx,
 *                            connection errors, unreadable bodies). Default 6.
 * @param backoffInitialMs    first retry delay; doubles each retry, with jitter x[0.5, 1.5). Default 250.
 * @param backoffMaxMs        cap of one retry delay (and of an honoured Retry-After). Default 20000.
 * @param jsonSchema          send response_format {type: json_schema} for structured stages (vLLM, llama.cpp,
 *                            Ollama >= 0.5 and TGI support it); false parses and validates the text instead. Either
 *                            way an invalid answer gets one repair attempt. Default true.
 * @param extraBody           extra top-level request fields for a specific server, merged into every request body,
 *                            e.g. {options: {num_ctx: 8192}} for Ollama so long prompts are not truncated. Default {}.
 * @param cache               keep every answer in the durable cache (synth: OUT.llm_cache beside the store) so reruns
 *                            make no call twice. Default true.
 */
public record LlmConfig(
    @JsonProperty("base_url") String baseUrl,
    @JsonProperty("api_key_env") String apiKeyEnv,
    @JsonProperty("api_key_file") @ConfigPath String apiKeyFile,
    @JsonProperty("connect_timeout_ms") int connectTimeoutMs,
    @JsonProperty("request_timeout_ms") int requestTimeoutMs,
    @JsonProperty("global_concurrency") int globalConcurrency,
    @JsonProperty("executors") int executors,
    @JsonProperty("max_attempts") int maxAttempts,
    @JsonProperty("backoff_initial_ms") int backoffInitialMs,
    @JsonProperty("backoff_max_ms") int backoffMaxMs,
    @JsonProperty("json_schema") boolean jsonSchema,
    @JsonProperty("extra_body") Map<String, Object> extraBody,
    @JsonProperty("cache") boolean cache)
    implements Serializable {

  public LlmConfig {
    if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
      throw new IllegalArgumentException("synth.llm.base_url must be an http(s) URL ending in /v1, got " + baseUrl);
    }
    baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    require(connectTimeoutMs > 0, "connect_timeout_ms", connectTimeoutMs);
    require(requestTimeoutMs > 0, "request_timeout_ms", requestTimeoutMs);
    require(globalConcurrency > 0, "global_concurrency", globalConcurrency);
    require(executors >= 0, "executors", executors);
    require(maxAttempts > 0, "max_attempts", maxAttempts);
    require(backoffInitialMs >= 0 && backoffMaxMs >= backoffInitialMs, "backoff_initial_ms/backoff_max_ms",
        backoffInitialMs + "/" + backoffMaxMs);
    extraBody = extraBody == null ? Map.of() : new LinkedHashMap<>(extraBody);
  }

  public static LlmConfig defaults() {
    return new LlmConfig("http://127.0.0.1:8000/v1", null, null, 5000, 120000, 16, 0, 6, 250, 20000, true,
        Map.of(), true);
  }

  /** The same config pointed at another server (tests, benchmark). */
  public LlmConfig withBaseUrl(String url) {
    return new LlmConfig(url, apiKeyEnv, apiKeyFile, connectTimeoutMs, requestTimeoutMs, globalConcurrency,
        executors, maxAttempts, backoffInitialMs, backoffMaxMs, jsonSchema, extraBody, cache);
  }

  /** The same config with other timeouts, attempts and backoff (tests). */
  public LlmConfig withRetries(int requestTimeout, int attempts, int backoffInitial, int backoffMax) {
    return new LlmConfig(baseUrl, apiKeyEnv, apiKeyFile, connectTimeoutMs, requestTimeout, globalConcurrency,
        executors, attempts, backoffInitial, backoffMax, jsonSchema, extraBody, cache);
  }

  /** The same config with another concurrency split (benchmark). */
  public LlmConfig withConcurrency(int global, int executorCount) {
    return new LlmConfig(baseUrl, apiKeyEnv, apiKeyFile, connectTimeoutMs, requestTimeoutMs, global,
        executorCount, maxAttempts, backoffInitialMs, backoffMaxMs, jsonSchema, extraBody, cache);
  }

  /** Permits of one executor JVM: ceil(global_concurrency / executors), at least 1. */
  public int permitsPerExecutor(int executorCount) {
    int n = Math.max(1, executors > 0 ? executors : executorCount);
    return Math.max(1, (globalConcurrency + n - 1) / n);
  }

  private static void require(boolean ok, String key, Object value) {
    if (!ok) {
      throw new IllegalArgumentException("synth.llm." + key + " is out of range: " + value);
    }
  }
}
