package org.fspo.synth.job;

import static org.apache.spark.sql.functions.col;

import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.fspo.core.FspoUserException;
import org.fspo.synth.llm.CircuitBreaker;
import org.fspo.synth.llm.LlmResult;

/**
 * The driver's side of fail-fast: after each LLM stage, stop the job with one line naming the server and the cause
 * when the stage met an outage, rather than carry on and write a store of quarantined items. An outage is a row
 * refused by an open {@link CircuitBreaker}, or a stage whose every item failed for a reason that blames the server
 * (the breaker needs {@link CircuitBreaker#TRIP_AFTER} calls; a stage can have fewer). Nothing of an outage is cached,
 * so the same command reruns the failed calls once the server is back, and only those.
 */
final class Outage {
  /** Quarantine reasons a rerun can change: the request was fine, the server or the connection was not. */
  static final Set<String> RETRYABLE = Set.of("retries_exhausted", "bad_request", "interrupted",
      CircuitBreaker.UNAVAILABLE, CircuitBreaker.REFUSED);

  private Outage() {}

  /** Throws the one-line stop (exit 69, or 78 for 401/403/404) if {@code stage} met an outage. */
  static void check(String stage, long in, long out, Dataset<Row> quarantined, String baseUrl) {
    List<Row> open = quarantined.filter(col("reason").isin(CircuitBreaker.UNAVAILABLE, CircuitBreaker.REFUSED))
        .select("reason", "detail").limit(1).collectAsList();
    if (!open.isEmpty()) {
      throw stop(stage, open.get(0).getString(0), open.get(0).getString(1));
    }
    if (in > 0 && out == 0) {
      List<Row> reasons = quarantined.groupBy("reason").count().collectAsList();
      boolean allServer = !reasons.isEmpty() && reasons.stream().allMatch(row -> RETRYABLE.contains(row.getString(0)));
      if (allServer) {
        Row first = quarantined.select("reason", "detail").limit(1).collectAsList().get(0);
        String reason = "bad_request".equals(first.getString(0)) ? CircuitBreaker.REFUSED : CircuitBreaker.UNAVAILABLE;
        throw stop(stage, reason, "every call to the LLM server " + baseUrl + " failed (last: " + first.getString(1)
            + ")");
      }
    }
  }

  private static FspoUserException stop(String stage, String reason, String detail) {
    boolean refused = CircuitBreaker.REFUSED.equals(reason);
    return new FspoUserException("synth stopped in stage " + stage + ": " + LlmResult.oneLine(detail) + "; "
        + (refused ? "check synth.llm.base_url, the model names and the API key"
            : "start the server or fix synth.llm.base_url")
        + ", then rerun: answers received so far are cached, failures are not",
        refused ? FspoUserException.CONFIG : FspoUserException.UNAVAILABLE);
  }
}
