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

  /** The shared client; without the cache when {@code cache: false}. */
  public static LlmClient get(LlmConfig config, String cacheDir, int permits) {
    String key = config + "|" + cacheDir + "|" + permits;
    return CLIENTS.computeIfAbsent(key, k -> {
      OpenAiCompatibleClient http = HTTP.computeIfAbsent(k,
          h -> new OpenAiCompatibleClient(config, ExecutorLimits.forServer(config.baseUrl(), permits)));
      return config.cache() ? new CachingLlmClient(http, new ResponseCache(Path.of(cacheDir))) : http;
    });
  }

  /** HTTP requests made by this JVM's clients so far (benchmark and tests). */
  public static long httpRequests() {
    return HTTP.values().stream().mapToLong(OpenAiCompatibleClient::httpRequests).sum();
  }
}
