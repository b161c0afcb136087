package org.fspo.eval.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors the SDK cannot produce, over plain java.net.http: each in OpenAI's shape, none stopping the server. */
class ServeHttpErrorsTest {
  @TempDir Path dir;
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static HttpResponse<String> post(String url, String body, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) b.header("Authorization", "Bearer " + key);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode error(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode e = JSON.readTree(r.body()).get("error");
    for (String f : List.of("message", "type", "param", "code")) assertTrue(e.has(f), f + " in " + r.body());
    return e;
  }

  static String chat(String model, String extra) {
    return "{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": \"What about tea?\"}]"
        + extra + "}";
  }

  @Test
  void badRequestsGet400NamingTheFieldAndTheServerKeepsServing() throws Exception {
    try (TinyServe s = new TinyServe(dir, null, 4, 8)) {
      String url = s.base() + "/chat/completions", id = s.model.id();
      assertEquals("invalid_json", error(post(url, "{\"model\": ", null), 400).get("code").asText());
      assertEquals("invalid_json", error(post(url, "[1, 2]", null), 400).get("code").asText());
      assertEquals("temperature", error(post(url, chat(id, ", \"temperature\": \"hot\""), null), 400)
          .get("param").asText());
      assertEquals("presence_penalty", error(post(url, chat(id, ", \"presence_penalty\": 2.5"), null), 400)
          .get("param").asText());
      assertEquals("frequency_penalty", error(post(url, chat(id, ", \"frequency_penalty\": \"x\""), null), 400)
          .get("param").asText());
      assertEquals("max_tokens", error(post(url, chat(id, ", \"max_tokens\": 0"), null), 400).get("param").asText());
      assertEquals("max_tokens", error(post(url, chat(id, ", \"max_tokens\": 1.5"), null), 400).get("param").asText());
      assertEquals("messages", error(post(url, "{\"model\": \"" + id + "\", \"messages\": []}", null), 400)
          .get("param").asText());
      assertEquals("messages", error(post(url, "{\"model\": \"" + id + "\", \"messages\": [{\"role\": \"system\", "
          + "\"content\": \"x\"}]}", null), 400).get("param").asText());
      assertEquals("n", error(post(url, chat(id, ", \"n\": 0"), null), 400).get("param").asText());
      assertEquals("stop", error(post(url, chat(id, ", \"stop\": [1]"), null), 400).get("param").asText());
      assertEquals("fspo_shots", error(post(url, chat(id, ", \"fspo_shots\": {}"), null), 400).get("param").asText());
      assertEquals("prompt", error(post(s.base() + "/completions", "{\"model\": \"" + id + "\", \"prompt\": 3}",
          null), 400).get("param").asText());
      assertEquals("model_not_found", error(post(url, chat("other", ""), null), 404).get("code").asText());
      assertEquals("unknown_url", error(post(s.base() + "/embeddings", "{}", null), 404).get("code").asText());
      HttpResponse<String> ok = post(url, chat(id, ", \"max_tokens\": 4"), null);
      assertEquals(200, ok.statusCode(), ok.body());
      assertEquals("zero-shot", ok.headers().firstValue("X-FSPO-Personalization").orElseThrow());
    }
  }

  @Test
  void anApiKeyIsRequiredWhenSetAndNeverEchoed() throws Exception {
    try (TinyServe s = new TinyServe(dir, "s3cret-key", 4, 8)) {
      String url = s.base() + "/chat/completions", body = chat(s.model.id(), ", \"max_tokens\": 3");
      JsonNode missing = error(post(url, body, null), 401);
      assertEquals("invalid_api_key", missing.get("code").asText());
      HttpResponse<String> wrong = post(url, body, "s3cret-kex");
      error(wrong, 401);
      assertTrue(!wrong.body().contains("s3cret"), wrong.body());
      assertEquals(200, post(url, body, "s3cret-key").statusCode());
      HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port
          + "/health")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), "health needs no key");
    }
  }

  @Test
  void aFullQueueAnswers429WithRetryAfterAndEveryOtherRequestSucceeds() throws Exception {
    try (TinyServe s = new TinyServe(dir, null, 1, 1)) { // 1 slot, 1 waiting: a third concurrent request is refused
      String body = chat(s.model.id(), ", \"max_tokens\": 200, \"stop\": \"never-said\"");
      List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        sent.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(s.base() + "/chat/completions"))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
      }
      int ok = 0, limited = 0;
      for (CompletableFuture<HttpResponse<String>> f : sent) {
        HttpResponse<String> r = f.get();
        if (r.statusCode() == 429) {
          assertEquals("1", r.headers().firstValue("Retry-After").orElseThrow());
          assertEquals("rate_limit_error", error(r, 429).get("type").asText());
          limited++;
        } else {
          assertEquals(200, r.statusCode(), r.body());
          ok++;
        }
      }
      assertEquals(6, ok + limited, "every request got a response or a 429");
      assertTrue(limited >= 1 && ok >= 2, ok + " ok, " + limited + " limited");
    }
  }

  @Test
  void answers503WhileLoadingAndDrainsInFlightRequestsOnStop() throws Exception {
    ServeServer loading = new ServeServer(null);
    int port = loading.start("127.0.0.1", 0, 16);
    try {
      HttpResponse<String> r = post("http://127.0.0.1:" + port + "/v1/chat/completions", chat("m", ""), null);
      assertEquals("loading", error(r, 503).get("code").asText());
      assertEquals("1", r.headers().firstValue("Retry-After").orElseThrow());
    } finally {
      loading.stop(0);
    }
    TinyServe s = new TinyServe(dir, null, 2, 4);
    try {
      String body = chat(s.model.id(), ", \"max_tokens\": 200, \"stop\": \"never-said\"");
      CompletableFuture<HttpResponse<String>> inFlight = HTTP.sendAsync(HttpRequest.newBuilder(
          URI.create(s.base() + "/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      while (s.service.engine().load() == 0 && !inFlight.isDone()) Thread.sleep(5);
      s.server.stop(30_000); // as the SIGTERM hook does
      HttpResponse<String> r = inFlight.get();
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(JSON.readTree(r.body()).get("usage").get("completion_tokens").asInt() > 0, r.body());
    } finally {
      s.model.close();
    }
  }
}
