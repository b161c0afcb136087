package org.fspo.synth.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.episode.PreferencePair;
import org.fspo.synth.llm.FakeLlmServer;
import org.fspo.synth.store.EpisodeStore;
import org.fspo.synth.store.Manifest;
import org.fspo.synth.llm.LlmConfig;
import org.fspo.synth.stage.LlmPipelineConfig;
import org.fspo.synth.stage.LlmPipelineConfig.ModelSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The LLM pipeline against a loopback fake server with injected faults (see {@link FakeLlmServer}): one reference
 * run, then a run aborted partway and resumed: the resumed run makes no call the aborted one had answered, and its
 * tables equal the reference's.
 */
class LlmSynthTest {
  private static SparkSession spark;
  private static FakeLlmServer server;
  private static Path root;
  private static SynthOutput reference;
  private static List<String> referencePreferences, referenceUsers, referenceQuarantine;
  private static int referenceRequests;
  private static Path apiKeyFile;
  private static final String API_KEY = "sk-fake-3141592653589793";

  @BeforeAll
  static void start() throws Exception {
    spark = SparkSession.builder().master("local[2]").appName("LlmSynthTest").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").config("spark.sql.adaptive.enabled", "false").getOrCreate();
    server = new FakeLlmServer();
    root = Files.createTempDirectory("llm-synth-test");
    apiKeyFile = Files.writeString(root.resolve("api-key"), API_KEY + "\n");
    reference = SynthJob.produce(spark, config(server.baseUrl()), root.resolve("reference"));
    referencePreferences = sorted(reference.preferences());
    referenceUsers = sorted(reference.users());
    referenceQuarantine = sortedQuarantine(reference.quarantine());
    referenceRequests = server.requests();
  }

  @AfterAll
  static void stop() {
    spark.stop();
    server.close();
  }

  static SynthConfig config(String baseUrl) {
    LlmConfig llm = new LlmConfig(baseUrl, null, apiKeyFile.toString(), 2000, 1000, 8, 1, 3, 10, 50, true, Map.of(), true);
    LlmPipelineConfig pipeline = new LlmPipelineConfig(
        Map.of("mood", List.of("calm", "happy", "poison"), "style", List.of("brief", "wordy")),
        3, 2, List.of("How do I start?"), 3, 3,
        List.of(new ModelSpec("gen-a", 0.7), new ModelSpec("gen-b", 1.0)), new ModelSpec("judge-m", 0),
        new ModelSpec("persona-m", 0.9), true, "src/test/resources/templates/test", 64, null);
    return SynthConfig.defaults().withUsers(12, 6).withLlm("toy", llm, pipeline);
  }

  @Test
  void everyItemEndsInOutputOrQuarantineAndLabelsFollowTheJudge() {
    reference.counts().forEach(count -> assertTrue(count.addsUp(), count.toString()));
    Map<String, StageCount> byStage = reference.counts().stream()
        .collect(Collectors.toMap(StageCount::stage, count -> count));
    assertEquals(new StageCount("personas", 12, 8, 4), byStage.get("personas")); // mood=poison: HTTP 400
    assertEquals(new StageCount("questions", 13, 11, 2), byStage.get("questions")); // invalid JSON + duplicate
    List<Row> quarantine = reference.quarantine().collectAsList();
    Set<String> reasons = quarantine.stream().map(row -> row.<String>getAs("stage") + ":" + row.getAs("reason"))
        .collect(Collectors.toSet());
    assertEquals(Set.of("personas:client_error", "questions:invalid_output", "questions:duplicate_question",
        "judge:position_flip"), reasons);
    Row rejected = quarantine.stream().filter(row -> "client_error".equals(row.getAs("reason"))).findFirst()
        .orElseThrow();
    assertEquals("HTTP 400: prompt rejected by policy", rejected.getAs("detail"));
    assertEquals(1, rejected.<Integer>getAs("attempts") <= 2 ? 1 : 0, "400 is never retried");

    List<Row> preferences = reference.preferences().collectAsList();
    assertEquals(byStage.get("judge").out(), preferences.size());
    assertTrue(preferences.size() > 10, "only " + preferences.size() + " pairs");
    for (Row pair : preferences) {
      String person = pair.getAs("user_description");
      assertTrue(FakeLlmServerRule.prefers(person, pair.getAs("chosen"), pair.getAs("rejected")), pair.toString());
      assertNotNull(pair.<String>getAs("judge_raw_ab"));
      assertNotNull(pair.<String>getAs("judge_raw_ba"));
      assertEquals("judge-m", pair.getAs("judge"));
      assertTrue(!person.contains("poison"));
    }
    assertEquals(8, reference.users().count());
    // refinement: the fake judge says "not enough" for calm personas; their descriptions grow and are relabelled
    List<Row> calm = reference.users().filter("description like '%mood: calm%'").collectAsList();
    assertTrue(!calm.isEmpty());
    calm.forEach(user -> assertTrue(user.<String>getAs("description").contains(" Also: whether they like"),
        user.toString()));
    Disagreement disagreement = reference.disagreement();
    assertTrue(disagreement.userPairs() > 0 && disagreement.meanDifference() >= 0
        && disagreement.meanDifference() <= 1, disagreement.toString());
  }

  @Test
  void aRunAbortedPartwayThenResumedCallsNothingTwiceAndEqualsTheUninterruptedRun() throws Exception {
    server.reset();
    server.hangAfter(referenceRequests / 3);
    Path out = root.resolve("crashed");
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread run = new Thread(() -> {
      spark.sparkContext().setJobGroup("crash", "aborted on purpose", true);
      try {
        SynthJob.produce(spark, config(server.baseUrl()), out);
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    run.start();
    while (server.hanging() == 0 && run.isAlive()) {
      Thread.sleep(50);
    }
    spark.sparkContext().cancelJobGroup("crash");
    run.join(120_000);
    assertNotNull(failure.get(), "the first run should have been aborted");

    server.hangAfter(-1);
    SynthOutput resumed = SynthJob.produce(spark, config(server.baseUrl()), out);
    server.answered().forEach((key, times) -> assertEquals(1, times, "a call was answered twice: " + key));
    assertEquals(referencePreferences, sorted(resumed.preferences()));
    assertEquals(referenceUsers, sorted(resumed.users()));
    assertEquals(referenceQuarantine, sortedQuarantine(resumed.quarantine()));
    assertEquals(reference.counts(), resumed.counts());

    // and the tables go into the store as they are (the schema the trainer and `fspo render` read)
    SynthConfig config = config(server.baseUrl());
    Manifest manifest = SynthStore.write(spark, config, out, resumed,
        SynthStore.fingerprint(config, SynthJob.templateVersion(config)), false);
    assertEquals(Long.valueOf(referencePreferences.size()), manifest.counts().get("preferences"));
    List<PreferencePair> stored = EpisodeStore.loadPreferences(spark, out.toString(), null);
    assertEquals(reference.preferences().select("pair_id").collectAsList().stream().map(row -> row.getString(0))
        .sorted().toList(), stored.stream().map(PreferencePair::pairId).sorted().toList());
    assertEquals(8, EpisodeStore.loadUsers(spark, out.toString(), null).size());
  }

  @Test
  void theApiKeyIsSentToTheServerButWrittenNowhere() throws Exception {
    assertEquals(Set.of("Bearer " + API_KEY), server.authorizations());
    SynthConfig config = config(server.baseUrl());
    SynthStore.write(spark, config, root.resolve("stored"), reference,
        SynthStore.fingerprint(config, SynthJob.templateVersion(config)), false);
    List<Path> files;
    try (var walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).filter(f -> !f.equals(apiKeyFile)).toList();
    }
    assertTrue(files.stream().anyMatch(f -> f.toString().contains("llm_cache")), "the cache was written: " + files);
    assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals("manifest.json")), files.toString());
    for (Path file : files) {
      String bytes = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertTrue(!bytes.contains(API_KEY), "the API key was written to " + file);
    }
  }

  static List<String> sorted(Dataset<Row> table) {
    Dataset<Row> stable = List.of(table.columns()).contains("created_at") ? table.drop("created_at") : table;
    return stable.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  /** Quarantine rows without attempts: a retry interrupted by the abort may be counted once less. */
  static List<String> sortedQuarantine(Dataset<Row> table) {
    return sorted(table.drop("attempts"));
  }
}
