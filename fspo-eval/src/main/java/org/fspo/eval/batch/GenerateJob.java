package org.fspo.eval.batch;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.StableHash;
import org.fspo.core.io.OutputFolder;
import org.fspo.eval.generate.SamplingConfig;
import org.fspo.eval.metrics.Method;
import org.fspo.eval.pipeline.RunMethods;

/**
 * `fspo generate`: personalized responses in batch. For each (user, question) row, the user's N shots are taken from
 * the episode store ({@link org.fspo.eval.generate.ShotPicker}) and the method's policy samples a response exactly
 * as eval's win rates do ({@link org.fspo.eval.generate.ModelResponseWriter}: same prompt, same per-request RNG key
 * method|user|question_id|shots, so a row's response depends on nothing but the row, the shots and the seed).
 *
 * <p>The input is cut into chunks of {@code chunkRows} consecutive rows; each chunk is one Spark job whose partitions
 * each load the model once, and is published by renaming {@code OUT/responses/chunk=N} into place (after its
 * quarantine), so a rerun into the same OUT skips finished chunks: no duplicates, no gaps. OUT/manifest.json holds the
 * job's fingerprint (input, model hash, method, shots, sampling); a different job aimed at the same OUT is refused.
 */
public final class GenerateJob {
  private static final ObjectMapper JSON = new ObjectMapper();

  private GenerateJob() {}

  /**
   * @param run        the run folder that provides the method (its final/ and sft/)
   * @param inputId    what identifies the input (a file's content hash, or the store's fingerprint and split)
   * @param partitions Spark partitions per chunk
   * @param chunkRows  rows per chunk, the unit of resume
   */
  public record Request(Path run, Method method, int shots, SamplingConfig sampling, String inputId, int partitions,
      int chunkRows) {
    public Request {
      if (shots < 0) throw new FspoUserException("--shots must be >= 0, got " + shots, FspoUserException.USAGE);
      if (partitions < 1 || chunkRows < 1) {
        throw new FspoUserException("--partitions and --chunk-rows must be >= 1", FspoUserException.USAGE);
      }
    }
  }

  public record Summary(long input, long responses, long quarantined, int chunks, int chunksSkipped) {}

  /**
   * The sampling settings as the fingerprint names them: the record's text before the penalties existed, plus the
   * penalties only when one is set, so an output folder started by the release before them resumes.
   */
  static String samplingKey(SamplingConfig s) {
    String key = "SamplingConfig[temperature=" + s.temperature() + ", topP=" + s.topP() + ", maxTokens="
        + s.maxTokens() + ", seed=" + s.seed() + ", numBeams=" + s.numBeams() + ", noRepeatNgramSize="
        + s.noRepeatNgramSize();
    if (!s.penalty().off()) {
      key += ", presencePenalty=" + s.presencePenalty() + ", frequencyPenalty=" + s.frequencyPenalty();
    }
    return key + "]";
  }

  public static Summary run(SparkSession spark, Request request, Dataset<Row> questions, Dataset<Row> storePairs,
      Path out, PrintWriter log) {
    String modelHash = modelHash(request.run().resolve("final"));
    String fingerprint = StableHash.sha256Hex(request.inputId(), modelHash, request.method().key(),
        Integer.toString(request.shots()), samplingKey(request.sampling()), Integer.toString(request.chunkRows()));
    claim(out, fingerprint);
    long total = questions.count();
    int chunks = (int) ((total + request.chunkRows() - 1) / request.chunkRows());
    Dataset<Row> prepared = GenerateStages.withUserPairs(questions, storePairs);
    String runDir = request.run().toString(); // a String, not a Path: the loader travels to executors
    Method method = request.method();
    SamplingConfig sampling = request.sampling(); // Serializable: travels to executors whole, every field with it
    GenerateStages.WriterLoader loader = () -> RunMethods.writer(method, Path.of(runDir), sampling);
    int skipped = 0;
    long start = System.nanoTime(), doneRows = 0;
    for (int k = 0; k < chunks; k++) {
      Path published = out.resolve(GenerateTables.RESPONSES_DIR).resolve("chunk=" + k);
      if (Files.isDirectory(published)) {
        skipped++;
        continue;
      }
      long from = (long) k * request.chunkRows(), to = from + request.chunkRows();
      Dataset<Row> chunk = prepared.filter(col("row_id").geq(from).and(col("row_id").lt(to)))
          .repartition(request.partitions());
      writeChunk(GenerateStages.generate(chunk, loader, method, request.shots(), sampling.seed()), request, modelHash,
          out, k);
      doneRows += Math.min(to, total) - from;
      double seconds = (System.nanoTime() - start) / 1e9, rate = doneRows / Math.max(seconds, 1e-9);
      long left = total - Math.min(to, total);
      log.printf("chunk %d/%d: %d rows, %.1f rows/s, ETA %.0f s%n", k + 1, chunks, Math.min(to, total) - from, rate,
          left / Math.max(rate, 1e-9));
      log.flush();
    }
    Summary summary = new Summary(total, count(spark, out, GenerateTables.RESPONSES_DIR),
        count(spark, out, GenerateTables.QUARANTINE_DIR), chunks, skipped);
    if (summary.responses() + summary.quarantined() != total) {
      throw new IllegalStateException("generate lost rows: " + total + " in, " + summary.responses() + " responses + "
          + summary.quarantined() + " quarantined out");
    }
    writeManifest(out, fingerprint, modelHash, request, summary);
    return summary;
  }

  private static void writeChunk(Dataset<Row> outcomes, Request request, String modelHash, Path out, int k) {
    Path tmp = out.resolve(".tmp-chunk=" + k);
    deleteTree(tmp);
    outcomes = outcomes.persist(StorageLevel.MEMORY_AND_DISK()); // generated once, written twice
    try {
      String now = Instant.now().toString();
      SamplingConfig s = request.sampling();
      int shotsUsed = request.method().zeroShot() ? 0 : request.shots(); // population and the oracle read no shots
      outcomes.filter(col("reason").isNull())
          .select(col("row_id"), col("user_id"), col("question_id"), col("question"), col("response"),
              col("generated_description"), lit(request.method().key()).as("method"), lit(shotsUsed).as("shots"),
              col("shot_pair_ids"),
              lit(s.temperature()).as("temperature"), lit(s.topP()).as("top_p"), lit(s.maxTokens()).as("max_tokens"),
              lit(s.seed()).as("seed"), lit(s.numBeams()).as("num_beams"),
              lit(s.noRepeatNgramSize()).as("no_repeat_ngram_size"), lit(s.presencePenalty()).as("presence_penalty"),
              lit(s.frequencyPenalty()).as("frequency_penalty"), lit(modelHash).as("model_hash"),
              lit(now).as("created_at"))
          .orderBy("row_id").write().parquet(tmp.resolve(GenerateTables.RESPONSES_DIR).toString());
      outcomes.filter(col("reason").isNotNull())
          .select(col("row_id"), col("user_id"), col("question_id"), col("question"), col("reason"), col("detail"),
              lit(now).as("created_at"))
          .orderBy("row_id").write().parquet(tmp.resolve(GenerateTables.QUARANTINE_DIR).toString());
    } finally {
      outcomes.unpersist();
    }
    // quarantine first: a published responses/chunk=k is the mark that chunk k is complete
    move(tmp.resolve(GenerateTables.QUARANTINE_DIR), out.resolve(GenerateTables.QUARANTINE_DIR).resolve("chunk=" + k));
    move(tmp.resolve(GenerateTables.RESPONSES_DIR), out.resolve(GenerateTables.RESPONSES_DIR).resolve("chunk=" + k));
    deleteTree(tmp);
  }

  /**
   * The output-folder rule ({@link OutputFolder}): OUT must be new, empty, or a folder fspo generate wrote; and then
   * of this same job (same fingerprint), which resumes. Anything else is refused with one line and left untouched.
   */
  static void claim(Path out, String fingerprint) {
    if (!OutputFolder.isFresh(out)) {
      if (!OutputFolder.isOwn(out, OutputFolder.GENERATE_OUTPUT, dir -> false)) {
        throw OutputFolder.notOurs(out, OutputFolder.GENERATE_OUTPUT, "--out");
      }
      Path manifest = out.resolve(GenerateTables.MANIFEST);
      String found;
      try {
        found = Files.isRegularFile(manifest) ? JSON.readTree(manifest.toFile()).path("fingerprint").asText() : "";
      } catch (IOException e) {
        found = "";
      }
      if (!found.equals(fingerprint)) {
        throw new FspoUserException(out + " holds the output of a different generate job (other input, model, "
            + "method, shots or sampling); choose a new --out folder", FspoUserException.CANT_CREATE);
      }
      return; // the same job: resume
    }
    OutputFolder.mark(out, OutputFolder.GENERATE_OUTPUT);
    ObjectNode m = JSON.createObjectNode().put("producer", "generate").put("fingerprint", fingerprint)
        .put("complete", false);
    try {
      Files.writeString(out.resolve(GenerateTables.MANIFEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m));
    } catch (IOException e) {
      throw new FspoUserException(out + ": cannot write (" + e.getMessage() + ")", FspoUserException.CANT_CREATE);
    }
  }

  private static void writeManifest(Path out, String fingerprint, String modelHash, Request r, Summary s) {
    ObjectNode m = JSON.createObjectNode().put("producer", "generate").put("fingerprint", fingerprint)
        .put("complete", true).put("run", r.run().toString()).put("model_hash", modelHash)
        .put("method", r.method().key()).put("shots", r.shots()).put("input", r.inputId())
        .put("rows", s.input()).put("responses", s.responses()).put("quarantined", s.quarantined());
    m.putPOJO("sampling", r.sampling());
    try {
      Path tmp = out.resolve(GenerateTables.MANIFEST + ".tmp");
      Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m));
      Files.move(tmp, out.resolve(GenerateTables.MANIFEST), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new FspoUserException(out + ": cannot write manifest.json (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }

  /** First 16 hex characters of SHA-256 over the model folder's safetensors files, in name order. */
  static String modelHash(Path modelDir) {
    try (Stream<Path> files = Files.list(modelDir)) {
      String[] parts = files.filter(f -> f.getFileName().toString().endsWith(".safetensors"))
          .sorted(Comparator.comparing(Path::toString))
          .map(GenerateJob::fileHash).toArray(String[]::new);
      if (parts.length == 0) {
        throw new FspoUserException(modelDir + " has no .safetensors file; is --run a finished run?",
            FspoUserException.NO_INPUT);
      }
      return StableHash.sha256Hex(parts).substring(0, 16);
    } catch (IOException e) {
      throw new FspoUserException(modelDir + ": cannot read the trained model (" + e.getMessage()
          + "); is --run a finished run folder?", FspoUserException.NO_INPUT);
    }
  }

  /** SHA-256 of a file's bytes, streamed; of a folder (Parquet part files), over its files' hashes in name order. */
  public static String fileHash(Path file) {
    if (Files.isDirectory(file)) {
      try (Stream<Path> walk = Files.walk(file)) {
        return StableHash.sha256Hex(walk.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString))
            .map(f -> file.relativize(f) + "=" + fileHash(f)).toArray(String[]::new));
      } catch (IOException e) {
        throw new FspoUserException(file + ": cannot read (" + e.getMessage() + ")", FspoUserException.NO_INPUT);
      }
    }
    try (var in = Files.newInputStream(file)) {
      var digest = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
      return java.util.HexFormat.of().formatHex(digest.digest());
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new FspoUserException(file + ": cannot read (" + e.getMessage() + ")", FspoUserException.NO_INPUT);
    }
  }

  private static long count(SparkSession spark, Path out, String table) {
    Path dir = out.resolve(table);
    return Files.isDirectory(dir) ? spark.read().parquet(dir.toString()).count() : 0;
  }

  private static void move(Path from, Path to) {
    try {
      Files.createDirectories(to.getParent());
      deleteTree(to); // a quarantine chunk left by a crash before its responses were published
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new FspoUserException(to + ": cannot publish the chunk (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    } catch (IOException e) {
      throw new FspoUserException(dir + ": cannot delete a temporary folder (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }
}
