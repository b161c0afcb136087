package org.fspo.synth.llm;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The per-JVM (per-executor) bound on in-flight requests: one {@link Semaphore} per (server base URL, permits). All Spark tasks of an executor share it, so the executor never has more than
 * ceil(global_concurrency / executors) requests on the wire, and the job never more than about global_concurrency.
 */
public final class ExecutorLimits {
  private static final Map<String, Semaphore> BY_SERVER = new ConcurrentHashMap<>();

  private ExecutorLimits() {}

  public static Semaphore forServer(String baseUrl, int permits) {
    return BY_SERVER.computeIfAbsent(baseUrl + "#" + permits, key -> new Semaphore(permits, true));
  }
}
