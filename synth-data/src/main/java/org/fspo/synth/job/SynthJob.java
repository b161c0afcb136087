package org.fspo.synth.job;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.synth.stage.Templates;
import org.fspo.synth.store.EpisodeStore;
import org.fspo.synth.store.Manifest;

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

  /** The version of what renders the prompts: the template files' hash (llm) or the renderer version. */
  public static String templateVersion(SynthConfig config) {
    return SynthConfig.LLM.equals(config.generator())
        ? Templates.version(Templates.load(Path.of(config.pipeline().templates())))
        : ProceduralSynth.TEMPLATE_VERSION;
  }

  /**
   * Produces and writes the store under {@code out}, printing items in = out + quarantined per stage to
   * {@code log}. A folder that already holds this job's complete store is left as is (unless {@code overwrite}); one
   * holding a different store is refused with one line (unless {@code overwrite}), and a folder that is not a store
   * always, before any LLM call is made. A run that meets an unreachable server stops with one line ({@link Outage});
   * one that ends with no preferences writes its store (the quarantine says why), then fails with exit 65.
   */
  public static Manifest run(SparkSession spark, SynthConfig config, Path out, boolean overwrite,
      java.io.PrintWriter log) {
    String fingerprint = SynthStore.fingerprint(config, templateVersion(config));
    if (SynthStore.isUpToDate(spark, out, fingerprint, overwrite, inputs(config, out))) {
      log.println("synth: " + out + " already holds this store (fingerprint " + fingerprint.substring(0, 12)
          + "); nothing to do");
      log.flush();
      return EpisodeStore.manifest(spark, out.toString());
    }
    SynthOutput output = produce(spark, config, out);
    Manifest manifest = SynthStore.write(spark, config, out, output, fingerprint, overwrite);
    log.println("synth " + config.generator() + " -> " + out + ": " + manifest.counts());
    for (StageCount count : output.counts()) {
      log.println("  " + count);
    }
    if (output.disagreement() != null) {
      log.printf(java.util.Locale.ROOT,
          "  user disagreement: mean label difference %.3f over %d user pairs on %d shared items%n",
          output.disagreement().meanDifference(), output.disagreement().userPairs(),
          output.disagreement().sharedItems());
    }
    long retryable = SynthStore.retryable(manifest);
    if (retryable > 0) {
      log.println("  " + retryable + " item(s) failed for a reason a rerun can change (see quarantine/); they are"
          + " not cached: run the same command again to retry only them");
    }
    log.flush();
    if (manifest.count("preferences") == 0) {
      throw new FspoUserException("synth wrote no preferences to " + out + ": " + output.counts().stream()
          .map(c -> c.stage() + " " + c.in() + " in, " + c.out() + " out, " + c.quarantined() + " quarantined")
          .collect(java.util.stream.Collectors.joining("; ")) + "; the reasons are in " + out.resolve("quarantine")
          + " (fspo render and DuckDB read it)", FspoUserException.DATA);
    }
    return manifest;
  }

  /** What the job reads that must not lie inside the store folder: the templates and the LLM cache. */
  static List<String> inputs(SynthConfig config, Path out) {
    if (!SynthConfig.LLM.equals(config.generator())) {
      return List.of();
    }
    return List.of(Path.of(config.pipeline().templates()).toAbsolutePath().toString(),
        LlmSynth.cacheDir(config, out).toAbsolutePath().toString());
  }

  /** {@code SynthJob CONFIG.yaml OUT_DIR [--set synth.key=value]...}; {@code fspo synth} is the friendlier entry. */
  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: SynthJob CONFIG.yaml OUT_DIR [synth.key=value ...]");
      System.exit(64);
    }
    SynthConfig config = SynthConfigs.load(Path.of(args[0]),
        java.util.Arrays.asList(args).subList(2, args.length));
    SparkSession spark = SparkSession.builder().appName("fspo-synth").getOrCreate();
    try {
      run(spark, config, Path.of(args[1]), false, new java.io.PrintWriter(System.out, true));
    } finally {
      spark.stop();
    }
  }
}
