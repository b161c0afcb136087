package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.episode.PreferencePair;
import org.fspo.eval.generate.ShotPicker;
import org.fspo.eval.serve.ServedModel;
import org.fspo.eval.serve.TinyServe;
import org.fspo.synth.store.EpisodeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The served response equals {@code fspo generate}'s for the same user, question, shots and seed: generate answers
 * two users' questions from a store (its shots picked by ShotPicker with --seed, its RNG key
 * method|user|question_id|shots), then {@code fspo serve} on the same run answers the same questions for the same
 * users with those shots in fspo_shots, the same seed and sampling, and question_id = the server's pair id of the
 * question (the hash it keys a request's RNG with). Each pair of texts must be equal, and not empty.
 */
class ServeMatchesGenerateTest {
  @TempDir Path dir;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 7;
  private static final String[][] ASKS = {{"u0", "What about rain?"}, {"u1", "What about snow and ice?"}};

  @Test
  void servedTextEqualsGeneratesForTheSameUserQuestionShotsAndSeed() throws Exception {
    List<String> rows = new ArrayList<>();
    for (int u = 0; u < 2; u++) {
      for (int q = 0; q < 4; q++) {
        rows.add("{\"user_id\": \"u" + u + "\", \"prompt\": \"What about tea " + q + "?\", \"chosen\": "
            + "\"warm and kind words " + u + "\", \"rejected\": \"cold and short note " + q + "\"}");
      }
    }
    Path store = dir.resolve("store");
    CliRun imported = CliRun.of("import", "--master", "local[1]", "--input",
        Files.write(dir.resolve("pairs.jsonl"), rows).toString(), "--out", store.toString(), "--test-fraction", "0");
    assertEquals(0, imported.exitCode(), imported.err());
    Path run = TinyServe.run(dir);
    List<String> questions = new ArrayList<>();
    for (String[] a : ASKS) {
      questions.add("{\"user_id\": \"" + a[0] + "\", \"question\": \"" + a[1] + "\", \"question_id\": \""
          + ServedModel.pairId(a[1]) + "\"}");
    }
    Path out = dir.resolve("generated");
    CliRun generated = CliRun.of("generate", "--master", "local[1]", "--run", run.toString(), "--episodes",
        store.toString(), "--questions", Files.write(dir.resolve("q.jsonl"), questions).toString(), "--shots", "2",
        "--seed", Long.toString(SEED), "--temperature", "1.0", "--top-p", "0.9", "--max-tokens", "12", "--out",
        out.toString());
    assertEquals(0, generated.exitCode(), generated.err());
    Map<String, String> want = new HashMap<>();
    Map<String, List<PreferencePair>> pairs = new HashMap<>();
    SparkSession spark = SparkSessions.start("read", "local[1]", false);
    for (Row r : spark.read().parquet(out.resolve("responses").toString()).collectAsList()) {
      want.put(r.getString(r.fieldIndex("user_id")), r.getString(r.fieldIndex("response")));
    }
    for (PreferencePair p : EpisodeStore.loadPreferences(spark, store.toString(), null)) {
      pairs.computeIfAbsent(p.userId(), u -> new ArrayList<>()).add(p);
    }
    assertEquals(2, want.size(), want.toString());

    CommandLine cl = Fspo.commandLine();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(err));
    ServeCommand serve = (ServeCommand) cl.getSubcommands().get("serve").getCommandSpec().userObject();
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> cl.execute("serve", "--master", "local[1]",
        "--run", run.toString(), "--episodes", store.toString(), "--port", "0"));
    long deadline = System.currentTimeMillis() + 180_000;
    while (serve.boundPort == 0 && !code.isDone() && System.currentTimeMillis() < deadline) Thread.sleep(20);
    assertTrue(serve.boundPort > 0, err.toString());
    HttpClient http = HttpClient.newHttpClient();
    for (String[] a : ASKS) {
      List<PreferencePair> shots = ShotPicker.pick(pairs.get(a[0]), ServedModel.pairId(a[1]), a[1], 2, SEED);
      ObjectNode body = JSON.createObjectNode().put("model", "tiny-run/fspo").put("user", a[0]).put("seed", SEED)
          .put("temperature", 1.0).put("top_p", 0.9).put("max_tokens", 12);
      body.putArray("messages").addObject().put("role", "user").put("content", a[1]);
      ArrayNode fs = body.putArray("fspo_shots");
      for (PreferencePair p : shots) {
        fs.addObject().put("question", p.prompt()).put("preferred", p.chosen()).put("dispreferred", p.rejected());
      }
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.boundPort
          + "/v1/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonNode c = JSON.readTree(r.body());
      assertEquals("fspo-fspo_shots-2", c.get("system_fingerprint").asText());
      String served = c.get("choices").get(0).get("message").get("content").asText();
      assertFalse(want.get(a[0]).isEmpty(), "a comparison of empty texts would prove nothing");
      assertEquals(want.get(a[0]), served, a[0] + ": " + a[1]);
    }
    serve.shutdown();
    assertEquals(0, code.get());
  }
}
