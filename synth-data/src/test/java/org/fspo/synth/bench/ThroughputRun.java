package org.fspo.synth.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.fspo.synth.llm.LlmConfig;
import org.fspo.synth.stage.LlmContext;
import org.fspo.synth.stage.LlmMapper;
import org.fspo.synth.stage.LlmStages;
import org.fspo.synth.stage.LlmPipelineConfig;
import org.fspo.synth.stage.Templates;

/**
 * One benchmark run of the synth responses stage (the real Spark stage, client, permits and cache) against
 * {@link LatencyServer}: {@code ThroughputRun BASE_URL CALLS GLOBAL_CONCURRENCY EXECUTORS OUT_JSON}. The master
 * comes from -Dspark.master (local[*] or a standalone cluster). Prints and writes {"executors", "calls", "seconds",
 * "achieved_rps", "out", "quarantined", "driver_process_cpu_ms"}; in local mode the driver process is the whole
 * client (Spark, the stage, the HTTP client and the cache), since the server runs in its own process.
 */
public final class ThroughputRun {
  private ThroughputRun() {}

  public static void main(String[] args) throws Exception {
    String baseUrl = args[0];
    int calls = Integer.parseInt(args[1]), global = Integer.parseInt(args[2]), executors = Integer.parseInt(args[3]);
    SparkSession spark = SparkSession.builder().appName("fspo-synth-throughput")
        .config("spark.ui.enabled", "false").getOrCreate();
    Path cache = Files.createTempDirectory("bench-llm-cache");
    LlmConfig llm = LlmConfig.defaults().withBaseUrl(baseUrl).withConcurrency(global, executors);
    Map<String, String> templates = Map.of("persona", "", "question", "", "views", "", "judge", "",
        "response", "Question: {{question}}\nAnswer from this viewpoint: {{view}}");
    LlmContext ctx = new LlmContext(llm, cache.toString(), llm.permitsPerExecutor(executors), 1, templates,
        Templates.version(templates));
    LlmPipelineConfig pipeline = LlmPipelineConfig.defaults();
    // Warm-up (not timed): JIT-compile Spark's, Jackson's and the HTTP client's paths on every executor, with
    // other questions than the timed run so the cache answers none of the timed calls.
    LlmStages.withResponses(views(spark, "warmup", calls / 4), ctx, pipeline).out().count();
    Dataset<Row> views = views(spark, "q", calls);
    long process0 = processCpuNanos();
    long t0 = System.nanoTime();
    LlmMapper.Split out = LlmStages.withResponses(views, ctx, pipeline);
    long ok = out.out().count(), quarantined = out.quarantine().count();
    double seconds = (System.nanoTime() - t0) / 1e9;
    long driverCpuMs = (processCpuNanos() - process0) / 1_000_000;
    String json = String.format(java.util.Locale.ROOT,
        "{\"executors\": %d, \"calls\": %d, \"seconds\": %.3f, \"achieved_rps\": %.2f, \"out\": %d,"
            + " \"quarantined\": %d, \"driver_process_cpu_ms\": %d}",
        executors, calls, seconds, calls / seconds, ok, quarantined, driverCpuMs);
    System.out.println("RESULT " + json);
    Files.writeString(Path.of(args[4]), json);
    spark.stop();
  }

  private static Dataset<Row> views(SparkSession spark, String prefix, int calls) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      rows.add(RowFactory.create(prefix + i, prefix + " question " + i + "?", i % 3, "view " + i));
    }
    // One wave of tasks: as many partitions as task slots, so no slot idles between waves.
    Dataset<Row> views = spark.createDataFrame(rows, LlmStages.VIEWS)
        .repartition(spark.sparkContext().defaultParallelism());
    views.count();
    return views;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
