package org.fspo.synth.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.synth.llm.FakeLlmServer;
import org.fspo.synth.llm.LlmConfig;
import org.fspo.synth.stage.LlmPipelineConfig;
import org.fspo.synth.stage.LlmPipelineConfig.ModelSpec;
import org.fspo.synth.store.EpisodeStore;
import org.fspo.synth.store.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An unreachable or dying LLM server must not become a silent, permanent loss: the job stops fast with one line
 * naming the server and the cause, caches no failure, and the same command with the server back writes the full
 * store, making no call twice that had been answered.
 */
class LlmOutageTest {
  private static SparkSession spark;
  private static Path root;
  private static int port;
  private static FakeLlmServer server;
  private static Manifest reference;
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws IOException {
    spark = SparkSession.builder().master("local[2]").appName("LlmOutageTest").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").config("spark.sql.adaptive.enabled", "false").getOrCreate();
    root = Files.createTempDirectory("llm-outage-test");
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort(); // closed when the block ends: nothing listens there until a test starts the server
    }
  }

  @AfterAll
  static void stop() {
    spark.stop();
    if (server != null) {
      server.close();
    }
  }

  private static SynthConfig config(Map<String, List<String>> traits) {
    LlmConfig llm = new LlmConfig("http://127.0.0.1:" + port + "/v1", null, null, 2000, 1000, 8, 1, 3, 10, 50, true,
        Map.of(), true);
    LlmPipelineConfig pipeline = new LlmPipelineConfig(traits, 3, 2, List.of("How do I start?"), 3, 3,
        List.of(new ModelSpec("gen-a", 0.7), new ModelSpec("gen-b", 1.0)), new ModelSpec("judge-m", 0),
        new ModelSpec("persona-m", 0.9), false, "src/test/resources/templates/test", 64, null);
    return SynthConfig.defaults().withUsers(8, 4).withLlm("toy", llm, pipeline);
  }

  /** The job every test runs (its base_url is the port found closed in {@link #start}). */
  private static SynthConfig job() {
    return config(Map.of("mood", List.of("calm", "happy"), "style", List.of("brief", "wordy")));
  }

  private static Manifest run(Path out) {
    return SynthJob.run(spark, job(), out, false, new PrintWriter(new StringWriter()));
  }

  /** The fake server, started on the port that was closed. */
  private static synchronized FakeLlmServer server() {
    if (server == null) {
      server = new FakeLlmServer(port);
    }
    return server;
  }

  /** The uninterrupted run, into its own folder and cache, with the server up. */
  private static synchronized Manifest reference() {
    server();
    if (reference == null) {
      reference = run(root.resolve("reference"));
      server.reset();
    }
    return reference;
  }

  /** Every file of the job's LLM cache, asserting that each holds an answer (is_ok), never a failure. */
  private static long cachedAnswers(Path out) throws IOException {
    Path cache = LlmSynth.cacheDir(job(), out);
    if (!Files.exists(cache)) {
      return 0;
    }
    try (Stream<Path> walk = Files.walk(cache)) {
      List<Path> files = walk.filter(Files::isRegularFile).toList();
      for (Path file : files) {
        assertTrue(JSON.readTree(file.toFile()).path("result").path("is_ok").asBoolean(), "a failure was cached: "
            + file);
      }
      return files.size();
    }
  }

  @Test
  void noServerStopsFastWithOneLineAndTheSameJobWithTheServerUpWritesTheFullStore() throws IOException {
    if (server != null) {
      return; // another test started the server on the port first; this test needs it closed (runs first)
    }
    Path out = root.resolve("outage");
    FspoUserException down = assertThrows(FspoUserException.class, () -> run(out));
    assertEquals(FspoUserException.UNAVAILABLE, down.exitCode());
    String message = down.getMessage();
    assertTrue(message.startsWith("synth stopped in stage personas: "), message);
    assertTrue(message.contains("http://127.0.0.1:" + port + "/v1"), "names base_url: " + message);
    assertTrue(message.contains("connection refused to 127.0.0.1:" + port), "names the cause: " + message);
    assertFalse(message.contains("null") || message.contains("\n"), message);
    assertFalse(Files.exists(out), "no store of quarantined items was written");
    assertEquals(0, cachedAnswers(out));

    Manifest expected = reference(); // starts the server on the port that was closed
    Manifest recovered = run(out);
    assertTrue(server.requests() > 0, "the live server was called");
    assertEquals(expected.counts(), recovered.counts());
    assertEquals(expected.quarantineByReason(), recovered.quarantineByReason());
    assertTrue(recovered.count("preferences") > 0, recovered.counts().toString());
    assertEquals(List.copyOf(EpisodeStore.loadPreferences(spark, root.resolve("reference").toString(), null).stream()
        .map(p -> p.pairId()).toList()), EpisodeStore.loadPreferences(spark, out.toString(), null).stream()
        .map(p -> p.pairId()).toList());
  }

  @Test
  void aServerThatDiesMidwayStopsTheJobCachesNoFailureAndTheRerunRepeatsNoAnswer() throws IOException {
    Manifest expected = reference();
    server.reset();
    server.dieAfter(30);
    Path out = root.resolve("midway");
    FspoUserException died = assertThrows(FspoUserException.class, () -> run(out));
    assertEquals(FspoUserException.UNAVAILABLE, died.exitCode());
    assertTrue(died.getMessage().contains("http://127.0.0.1:" + port + "/v1 failed 8 calls in a row"),
        died.getMessage());
    assertTrue(server.refusedWhileDead() > 0);
    assertFalse(Files.exists(out));
    long cached = cachedAnswers(out);
    assertTrue(cached >= 30, "the answers before the outage are kept: " + cached);

    server.dieAfter(-1);
    Manifest resumed = run(out);
    assertEquals(expected.counts(), resumed.counts());
    server.answered().forEach((key, times) -> assertEquals(1, times, "a call was answered twice: " + key));
  }

  @Test
  void aJobThatEndsWithNoPreferencesFailsWithTheCountsAndIsNotUpToDateOnRerun() {
    server();
    SynthConfig poisoned = config(Map.of("mood", List.of("poison"))); // the fake server answers 400 to each persona
    Path out = root.resolve("empty");
    for (int attempt = 0; attempt < 2; attempt++) {
      StringWriter log = new StringWriter();
      FspoUserException empty = assertThrows(FspoUserException.class,
          () -> SynthJob.run(spark, poisoned, out, false, new PrintWriter(log)));
      assertEquals(FspoUserException.DATA, empty.exitCode());
      assertTrue(empty.getMessage().startsWith("synth wrote no preferences to " + out
          + ": personas 8 in, 0 out, 8 quarantined; "), empty.getMessage());
      assertFalse(log.toString().contains("nothing to do"), "attempt " + attempt + ": " + log);
      assertEquals(Map.of("client_error", 8L), EpisodeStore.manifest(spark, out.toString()).quarantineByReason()
          .entrySet().stream().filter(e -> !e.getKey().startsWith("duplicate") && !e.getKey().startsWith("invalid"))
          .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }
  }
}
