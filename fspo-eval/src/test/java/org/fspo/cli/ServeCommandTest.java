package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.fspo.core.FspoUserException;
import org.fspo.eval.serve.TinyServe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** fspo serve's bad inputs: one line naming the option and the fix, a sysexits code, nothing bound or loaded. */
class ServeCommandTest {
  @TempDir Path dir;

  private static void oneLine(CliRun run, int code, String mentions) {
    assertEquals(code, run.exitCode(), run.err());
    assertEquals(1, run.errLines().size(), run.err());
    assertTrue(run.err().contains(mentions), run.err());
  }

  @Test
  void servesAStoredUsersShotsUntilShutdownAndDrains() throws Exception {
    List<String> rows = new ArrayList<>();
    for (int u = 0; u < 2; u++) {
      for (int q = 0; q < 4; q++) {
        rows.add("{\"user_id\": \"u" + u + "\", \"prompt\": \"What about tea " + q + "?\", \"chosen\": "
            + "\"warm and kind words\", \"rejected\": \"cold and short note\"}");
      }
    }
    Path input = Files.write(dir.resolve("pairs.jsonl"), rows);
    Path store = dir.resolve("store");
    CliRun imported = CliRun.of("import", "--master", "local[1]", "--input", input.toString(), "--out",
        store.toString(), "--test-fraction", "0");
    assertEquals(0, imported.exitCode(), imported.err());
    Path run = TinyServe.run(dir);

    CommandLine cl = Fspo.commandLine();
    StringWriter out = new StringWriter(), err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    ServeCommand serve = (ServeCommand) cl.getSubcommands().get("serve").getCommandSpec().userObject();
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> cl.execute("serve", "--master", "local[1]",
        "--run", run.toString(), "--episodes", store.toString(), "--port", "0", "--shots", "3"));
    long deadline = System.currentTimeMillis() + 180_000;
    while (serve.boundPort == 0 && !code.isDone() && System.currentTimeMillis() < deadline) Thread.sleep(20);
    assertTrue(serve.boundPort > 0, err.toString());
    String url = "http://127.0.0.1:" + serve.boundPort + "/v1/chat/completions";
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> known = http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers
        .ofString("{\"model\": \"tiny-run/fspo\", \"user\": \"u1\", \"max_tokens\": 5, \"messages\": "
            + "[{\"role\": \"user\", \"content\": \"What about rain?\"}]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, known.statusCode(), known.body());
    assertTrue(known.body().contains("\"system_fingerprint\":\"fspo-user-3\""), known.body());
    HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers
        .ofString("{\"model\": \"tiny-run/fspo\", \"user\": \"u9\", \"messages\": [{\"role\": \"user\", "
            + "\"content\": \"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, unknown.statusCode(), unknown.body());
    serve.shutdown(); // what SIGTERM's hook does
    assertEquals(0, code.get());
    assertTrue(out.toString().contains("serving tiny-run/fspo at http://127.0.0.1:" + serve.boundPort + "/v1"),
        out.toString());
    assertTrue(err.toString().contains("2 users in " + store), err.toString());
  }

  @Test
  void badInputsGiveOneLine() {
    String runDir = dir.resolve("no-run").toString();
    oneLine(CliRun.of("serve", "--run", runDir, "--port", "0"), FspoUserException.NO_INPUT, "no-run");
    oneLine(CliRun.of("serve", "--run", runDir, "--method", "best", "--port", "0"), FspoUserException.USAGE,
        "best");
    oneLine(CliRun.of("serve", "--run", runDir, "--api-key-env", "FSPO_TEST_SURELY_UNSET_KEY", "--port", "0"),
        FspoUserException.USAGE, "FSPO_TEST_SURELY_UNSET_KEY");
    oneLine(CliRun.of("serve", "--run", runDir, "--max-batch", "0"), FspoUserException.USAGE, "--max-batch");
    oneLine(CliRun.of("serve", "--run", runDir, "--prefix-cache-mb", "-1"), FspoUserException.USAGE, "--prefix-cache-mb");
    oneLine(CliRun.of("serve", "--run", runDir, "--prefix-cache-mb", "" + (Runtime.getRuntime().maxMemory() >> 20)),
        FspoUserException.USAGE, "more than half the JVM heap");
  }
}
