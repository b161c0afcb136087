package org.fspo.synth.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private static final LlmResult REFUSED_CONNECTION =
      LlmResult.failed("retries_exhausted", "3 attempts failed; last: connection refused to 127.0.0.1:9", null, 3);
  private static final LlmResult UNAUTHORIZED =
      LlmResult.failed("bad_request", "HTTP 401 from http://h/v1/chat/completions: invalid key", "{}", 1);
  private static final LlmResult POLICY = LlmResult.failed("client_error", "HTTP 400: rejected", "{}", 1);
  private static final ChatRequest REQUEST = new ChatRequest("m", List.of(ChatMessage.user("q")), 0, 8, 1, null);

  /** A delegate answering from a script, counting calls. */
  private static final class Scripted implements LlmClient {
    final Deque<LlmResult> script;
    final AtomicInteger calls = new AtomicInteger();

    Scripted(List<LlmResult> results) {
      script = new ArrayDeque<>(results);
    }

    @Override
    public LlmResult complete(ChatRequest request) {
      calls.incrementAndGet();
      return script.isEmpty() ? LlmResult.ok("late", 1) : script.poll();
    }
  }

  @Test
  void opensAfterThreeFailuresInARowAndThenSendsNothing() {
    Scripted server = new Scripted(List.of(REFUSED_CONNECTION, REFUSED_CONNECTION, REFUSED_CONNECTION));
    CircuitBreaker breaker = new CircuitBreaker(server, "http://127.0.0.1:9/v1", 3);
    assertEquals(REFUSED_CONNECTION, breaker.complete(REQUEST));
    assertEquals(REFUSED_CONNECTION, breaker.complete(REQUEST));
    LlmResult third = breaker.complete(REQUEST);
    assertTrue(breaker.isOpen());
    assertEquals(CircuitBreaker.UNAVAILABLE, third.reason());
    assertEquals("the LLM server http://127.0.0.1:9/v1 failed 3 calls in a row (last: 3 attempts failed; last:"
        + " connection refused to 127.0.0.1:9)", third.detail());
    assertEquals(3, third.attempts());
    LlmResult later = breaker.complete(REQUEST);
    assertEquals(CircuitBreaker.UNAVAILABLE, later.reason());
    assertEquals(0, later.attempts());
    assertEquals(3, server.calls.get(), "an open breaker sends no request");
  }

  @Test
  void anyAnswerResetsTheCountSoScatteredFailuresNeverTripIt() {
    Scripted server = new Scripted(List.of(REFUSED_CONNECTION, REFUSED_CONNECTION, LlmResult.ok("x", 1),
        REFUSED_CONNECTION, REFUSED_CONNECTION, POLICY, REFUSED_CONNECTION, REFUSED_CONNECTION, POLICY, POLICY,
        POLICY, POLICY));
    CircuitBreaker breaker = new CircuitBreaker(server, "http://h/v1", 3);
    for (int i = 0; i < 12; i++) {
      assertFalse(CircuitBreaker.UNAVAILABLE.equals(breaker.complete(REQUEST).reason()), "call " + i);
    }
    assertFalse(breaker.isOpen(), "a 400 about one request is an answer, not an outage");
    assertEquals(12, server.calls.get());
  }

  @Test
  void authorisationFailuresOpenItAsRefused() {
    CircuitBreaker breaker = new CircuitBreaker(new Scripted(List.of(UNAUTHORIZED, UNAUTHORIZED)), "http://h/v1", 2);
    breaker.complete(REQUEST);
    LlmResult second = breaker.complete(REQUEST);
    assertEquals(CircuitBreaker.REFUSED, second.reason());
    assertTrue(second.detail().contains("HTTP 401"), second.detail());
    assertTrue(CircuitBreaker.isOutage(UNAUTHORIZED) && CircuitBreaker.isOutage(REFUSED_CONNECTION));
    assertFalse(CircuitBreaker.isOutage(POLICY) || CircuitBreaker.isOutage(LlmResult.ok("x", 1)));
  }
}
