package org.fspo.synth.stage;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.fspo.core.episode.QuarantineRecord;

/**
 * Runs one LLM call (or a few) per input row, {@code permits} rows at a time per task, and splits the result into
 * output rows and quarantine rows, so that rows in = rows out + rows quarantined for every stage.
 *
 * <p>Inside a partition, rows are handed to a pool of {@code permits} threads and their results are collected in
 * input order; the JVM-wide semaphore of the client bounds what is on the wire across all tasks of the executor.
 */
public final class LlmMapper {

  /** What one row becomes: zero or more output rows, or one quarantine record. */
  public record Outcome(List<Object[]> rows, QuarantineRecord quarantine) implements Serializable {
    public static Outcome of(Object[]... rows) {
      return new Outcome(List.of(rows), null);
    }

    public static Outcome of(List<Object[]> rows) {
      return new Outcome(rows, null);
    }

    public static Outcome quarantined(QuarantineRecord record) {
      return new Outcome(List.of(), record);
    }
  }

  /** The per-row work; runs on executors. */
  @FunctionalInterface
  public interface RowCall extends Serializable {
    Outcome apply(Row row);
  }

  /** The quarantine table of the synth stages (QuarantineRecord as columns). */
  public static final StructType QUARANTINE =
      new StructType()
          .add("stage", DataTypes.StringType, false)
          .add("source", DataTypes.StringType, true)
          .add("location", DataTypes.StringType, true)
          .add("reason", DataTypes.StringType, false)
          .add("detail", DataTypes.StringType, true)
          .add("raw", DataTypes.StringType, true)
          .add("attempts", DataTypes.IntegerType, false);

  private static final String FLAG = "_quarantined";

  /** Output and quarantine of one stage. */
  public record Split(Dataset<Row> out, Dataset<Row> quarantine) {}

  private LlmMapper() {}

  public static Split map(Dataset<Row> input, StructType outSchema, int permits, RowCall call) {
    StructType combined = new StructType().add(FLAG, DataTypes.BooleanType, false);
    for (StructField field : outSchema.fields()) {
      combined = combined.add(field.name(), field.dataType(), true);
    }
    for (StructField field : QUARANTINE.fields()) {
      combined = combined.add("_q_" + field.name(), field.dataType(), true);
    }
    int outWidth = outSchema.size();
    MapPartitionsFunction<Row, Row> partition = rows -> run(rows, permits, call, outWidth);
    // Eager local checkpoint: every call runs exactly once here, and downstream plans start from the stored rows
    // instead of re-analysing (and possibly re-running) the whole upstream lineage.
    Dataset<Row> all = input.mapPartitions(partition, Encoders.row(combined)).localCheckpoint(true);
    Dataset<Row> out = all.filter(functions.not(functions.col(FLAG)))
        .select(java.util.Arrays.stream(outSchema.fieldNames()).map(functions::col).toArray(
            org.apache.spark.sql.Column[]::new));
    Dataset<Row> quarantine = all.filter(functions.col(FLAG))
        .select(java.util.Arrays.stream(QUARANTINE.fieldNames())
            .map(name -> functions.col("_q_" + name).as(name)).toArray(org.apache.spark.sql.Column[]::new));
    return new Split(out, quarantine);
  }

  private static Iterator<Row> run(Iterator<Row> rows, int permits, RowCall call, int outWidth)
      throws InterruptedException, ExecutionException {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, permits), runnable -> {
      Thread thread = new Thread(runnable, "llm-call");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      while (rows.hasNext()) {
        Row row = rows.next();
        futures.add(pool.submit(() -> call.apply(row)));
      }
      List<Row> out = new ArrayList<>();
      for (Future<Outcome> future : futures) {
        Outcome outcome = future.get();
        for (Object[] values : outcome.rows()) {
          Object[] full = new Object[1 + outWidth + QUARANTINE.size()];
          full[0] = false;
          System.arraycopy(values, 0, full, 1, values.length);
          out.add(RowFactory.create(full));
        }
        if (outcome.quarantine() != null) {
          QuarantineRecord q = outcome.quarantine();
          Object[] full = new Object[1 + outWidth + QUARANTINE.size()];
          full[0] = true;
          Object[] qValues = {q.stage(), q.source(), q.location(), q.reason(), q.detail(), q.raw(), q.attempts()};
          System.arraycopy(qValues, 0, full, 1 + outWidth, qValues.length);
          out.add(RowFactory.create(full));
        }
      }
      return out.iterator();
    } finally {
      pool.shutdownNow();
    }
  }
}
