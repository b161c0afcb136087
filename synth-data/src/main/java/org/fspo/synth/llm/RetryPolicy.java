package org.fspo.synth.llm;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which HTTP outcomes are retried, and how long to wait. Retried: 408, 409, 429 and every 5xx, connection errors
 * and timeouts, and 200 answers whose body cannot be read. Never retried: 400 and 422 (the request itself is wrong;
 * it goes to quarantine with the server's message) and other 4xx (configuration errors such as 401 or 404).
 *
 * <p>Delay before retry n (n = 1, 2, ...): min(max, initial * 2^(n-1)) * U[0.5, 1.5) ("equal jitter" style, so
 * that many clients that failed together do not retry together); a Retry-After header (seconds or an HTTP date)
 * replaces it when longer, capped at max.
 */
public record RetryPolicy(int maxAttempts, long initialMs, long maxMs) {

  public static RetryPolicy of(LlmConfig config) {
    return new RetryPolicy(config.maxAttempts(), config.backoffInitialMs(), config.backoffMaxMs());
  }

  public static boolean isRetryable(int status) {
    return status == 408 || status == 409 || status == 429 || status >= 500;
  }

  /** The wait before retry number {@code retry} (1-based), given the server's Retry-After header if any. */
  public Duration delay(int retry, Optional<String> retryAfter) {
    long exponential = (long) Math.min((double) maxMs, initialMs * Math.pow(2, retry - 1));
    long jittered = (long) (exponential * (0.5 + ThreadLocalRandom.current().nextDouble()));
    long fromServer = retryAfter.flatMap(RetryPolicy::parseRetryAfterMs).orElse(0L);
    return Duration.ofMillis(Math.min(maxMs, Math.max(jittered, fromServer)));
  }

  /** Retry-After is either delta-seconds or an IMF-fixdate (RFC 9110 section 10.2.3). */
  static Optional<Long> parseRetryAfterMs(String header) {
    String value = header.strip();
    try {
      return Optional.of(Math.max(0, (long) (Double.parseDouble(value) * 1000)));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime when = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        return Optional.of(Math.max(0, Duration.between(ZonedDateTime.now(), when).toMillis()));
      } catch (RuntimeException notADate) {
        return Optional.empty();
      }
    }
  }
}
