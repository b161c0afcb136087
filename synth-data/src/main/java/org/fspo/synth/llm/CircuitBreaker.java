package org.fspo.synth.llm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps a server that is down or refuses the configuration from becoming quarantine, one item at a time. After
 * {@code tripAfter} calls in a row fail for a reason that says nothing about the request itself (transport errors
 * and timeouts, 5xx or 429 after every retry: {@code retries_exhausted}; 401, 403, 404 and other non-retryable
 * statuses except 400/422: {@code bad_request}), the breaker opens: that call and every later one of the run
 * answer at once, without a request, with reason {@link #UNAVAILABLE} (or {@link #REFUSED} when the last cause was
 * an HTTP status such as 401), naming the server and the last cause. The driver sees those rows after the stage and
 * stops the job with one line ({@code org.fspo.synth.job.Outage}). Any answer (a success, or a 400/422 about one
 * request) resets the count, so scattered failures never trip it.
 *
 * <p>One per executor JVM and run ({@link LlmClients}), behind the cache: cached answers never count.
 */
public final class CircuitBreaker implements LlmClient {
  /** The reason of calls refused by an open breaker after transport failures, timeouts, 5xx or 429. */
  public static final String UNAVAILABLE = "server_unavailable";
  /** The reason of calls refused by an open breaker after HTTP statuses such as 401, 403 or 404. */
  public static final String REFUSED = "server_refused";
  /** Calls in a row that open the breaker: few enough to fail fast, enough that one bad item cannot. */
  public static final int TRIP_AFTER = 8;

  private final LlmClient delegate;
  private final String server;
  private final int tripAfter;
  private final AtomicInteger failuresInARow = new AtomicInteger();
  private final AtomicReference<LlmResult> open = new AtomicReference<>();

  public CircuitBreaker(LlmClient delegate, String server, int tripAfter) {
    if (tripAfter < 1) {
      throw new IllegalArgumentException("tripAfter must be at least 1, got " + tripAfter);
    }
    this.delegate = delegate;
    this.server = server;
    this.tripAfter = tripAfter;
  }

  /** Whether a failed result says the server (or its configuration) is at fault rather than the request. */
  public static boolean isOutage(LlmResult result) {
    return !result.isOk() && ("retries_exhausted".equals(result.reason()) || "bad_request".equals(result.reason()));
  }

  @Override
  public LlmResult complete(ChatRequest request) {
    LlmResult refusal = open.get();
    if (refusal != null) {
      return refusal;
    }
    LlmResult result = delegate.complete(request);
    if (!isOutage(result)) {
      failuresInARow.set(0);
      return result;
    }
    if (failuresInARow.incrementAndGet() < tripAfter) {
      return result;
    }
    String reason = "bad_request".equals(result.reason()) ? REFUSED : UNAVAILABLE;
    open.compareAndSet(null, LlmResult.failed(reason, "the LLM server " + server + " failed " + tripAfter
        + " calls in a row (last: " + result.detail() + ")", null, 0));
    LlmResult first = open.get();
    return LlmResult.failed(first.reason(), first.detail(), result.raw(), result.attempts());
  }

  public boolean isOpen() {
    return open.get() != null;
  }

  @Override
  public void close() {
    delegate.close();
  }
}
