package org.fspo.synth.job;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.spark.sql.SparkSession;

/**
 * The synth job: procedural users (no server) or the LLM pipeline, written to the episode store.
 *
 * <p>{@link #main} stays thin, as in Spark's examples: parse, build a session with an app name and no master (so
 * spark-submit or --master decides), {@link #run}, stop. {@link #produce} composes the named stages and returns the
 * tables; {@link #run} also writes them and prints items in = out + quarantined per stage.
 */
public final class SynthJob {
  private SynthJob() {}

  /** Composes the stages of the configured generator. Nothing is written except the LLM answer cache. */
  public static SynthOutput produce(SparkSession spark, SynthConfig config, Path out) {
    String createdAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    return SynthConfig.LLM.equals(config.generator())
        ? LlmSynth.run(spark, config, out, createdAt)
        : ProceduralSynth.run(spark, config, createdAt);
  }
}
