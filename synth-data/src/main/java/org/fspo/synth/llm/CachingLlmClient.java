package org.fspo.synth.llm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts the durable {@link ResponseCache} in front of another client: a call whose key is cached is answered from
 * disk (the stored result, attempts included, so a resumed run writes byte-identical rows); any other call goes to
 * the delegate, and its result is stored before it is returned when it is an answer. Only answers are cached: a
 * success (including one whose content is invalid JSON or breaks the schema: the repair call and the quarantine it
 * leads to follow from cached answers, so a rerun reaches the same verdict). A failure (transport error, timeout,
 * any HTTP error status, an open {@link CircuitBreaker}) is never cached, so a rerun with the server back calls again.
 */
public final class CachingLlmClient implements LlmClient {
  private final LlmClient delegate;
  private final ResponseCache cache;
  private final AtomicLong hits = new AtomicLong(), misses = new AtomicLong();

  public CachingLlmClient(LlmClient delegate, ResponseCache cache) {
    this.delegate = delegate;
    this.cache = cache;
  }

  @Override
  public LlmResult complete(ChatRequest request) {
    String key = request.cacheKey();
    java.util.Optional<LlmResult> cached = cache.get(key);
    if (cached.isPresent()) {
      hits.incrementAndGet();
      return cached.get();
    }
    misses.incrementAndGet();
    LlmResult result = delegate.complete(request);
    if (result.isOk()) {
      cache.put(key, request, result);
    }
    return result;
  }

  public long hits() {
    return hits.get();
  }

  public long misses() {
    return misses.get();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
