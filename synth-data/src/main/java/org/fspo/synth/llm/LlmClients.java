package org.fspo.synth.llm;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client per (config, cache folder, permits) per JVM, shared by every Spark task of the executor, so that
 * connections are reused and the executor's permits are one pool. Built lazily on the executor: the API key is
 * read there, never shipped in a closure.
 */
public final class LlmClients {
  private static final Map<String, LlmClient> CLIENTS = new ConcurrentHashMap<>();
  private static final Map<String, OpenAiCompatibleClient> HTTP = new ConcurrentHashMap<>();

  private LlmClients() {}

  /**
   * The shared client of one run: cache (unless {@code cache: false}) in front of the run's {@link CircuitBreaker}
   * in front of the HTTP client. The HTTP client (connections, permits) is shared across runs; the breaker is not,
   * so a run after an outage starts with it closed.
   */
  public static LlmClient get(LlmConfig config, String cacheDir, int permits, String runId) {
    String httpKey = config + "|" + cacheDir + "|" + permits;
    return CLIENTS.computeIfAbsent(httpKey + "|" + runId, k -> {
      OpenAiCompatibleClient http = HTTP.computeIfAbsent(httpKey,
          h -> new OpenAiCompatibleClient(config, ExecutorLimits.forServer(config.baseUrl(), permits)));
      LlmClient guarded = new CircuitBreaker(http, config.baseUrl(), CircuitBreaker.TRIP_AFTER);
      return config.cache() ? new CachingLlmClient(guarded, new ResponseCache(Path.of(cacheDir))) : guarded;
    });
  }

  /** HTTP requests made by this JVM's clients so far (benchmark and tests). */
  public static long httpRequests() {
    return HTTP.values().stream().mapToLong(OpenAiCompatibleClient::httpRequests).sum();
  }
}
