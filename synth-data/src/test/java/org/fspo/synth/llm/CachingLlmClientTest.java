package org.fspo.synth.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachingLlmClientTest {
  @TempDir Path dir;

  private static ChatRequest request(String text, long seed) {
    return new ChatRequest("m", List.of(ChatMessage.user(text)), 0.5, 32, seed, null);
  }

  @Test
  void aSecondClientOnTheSameFolderMakesNoCallTwiceAndReturnsTheSameResults() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    LlmClient counting = request -> {
      calls.incrementAndGet();
      String text = request.messages().get(0).content();
      return text.startsWith("bad") ? LlmResult.failed("client_error", "HTTP 400: no", "{}", 1)
          : LlmResult.ok("echo " + text, 2);
    };
    CachingLlmClient first = new CachingLlmClient(counting, new ResponseCache(dir));
    LlmResult a = first.complete(request("a", 1));
    LlmResult bad = first.complete(request("bad", 1));
    assertEquals(2, calls.get());
    CachingLlmClient second = new CachingLlmClient(counting, new ResponseCache(dir)); // e.g. after kill -9
    assertEquals(a, second.complete(request("a", 1)));
    assertEquals(bad, second.complete(request("bad", 1)));
    assertEquals(2, calls.get());
    assertEquals(2, second.hits());
    second.complete(request("a", 2)); // another seed is another call
    assertEquals(3, calls.get());
    try (Stream<Path> files = Files.walk(dir)) {
      assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")));
    }
  }

  @Test
  void theKeyCoversModelMessagesParametersAndSeed() {
    ChatRequest base = request("q", 1);
    assertEquals(base.cacheKey(), request("q", 1).cacheKey());
    assertNotEquals(base.cacheKey(), request("q", 2).cacheKey());
    assertNotEquals(base.cacheKey(), new ChatRequest("m2", base.messages(), 0.5, 32, 1, null).cacheKey());
    assertNotEquals(base.cacheKey(), new ChatRequest("m", base.messages(), 0.6, 32, 1, null).cacheKey());
    assertNotEquals(base.cacheKey(), base.followUp(ChatMessage.user("more")).cacheKey());
    assertEquals(64, base.cacheKey().length());
  }

  @Test
  void jsonAnswersGetOneRepairThenQuarantine() {
    String schema = "{\"type\":\"object\",\"required\":[\"winner\"],\"properties\":{\"winner\":{\"enum\":[\"A\",\"B\"]}}}";
    ChatRequest request = new ChatRequest("m", List.of(ChatMessage.user("judge")), 0, 16, 1, schema);
    JsonAnswer.Parsed repaired = JsonAnswer.complete(r -> r.messages().size() == 1
        ? LlmResult.ok("{\"winner\": \"C\"}", 1) : LlmResult.ok("```json\n{\"winner\": \"B\"}\n```", 1), request);
    assertTrue(repaired.isOk());
    assertEquals("B", repaired.value().get("winner").asText());
    assertEquals(2, repaired.result().attempts());
    JsonAnswer.Parsed hopeless = JsonAnswer.complete(r -> LlmResult.ok("{\"winner\": tru", 1), request);
    assertFalse(hopeless.isOk());
    assertEquals("invalid_output", hopeless.result().reason());
    assertEquals("{\"winner\": tru", hopeless.result().raw());
    assertEquals("$.winner must be one of [\"A\",\"B\"]", JsonAnswer.check("{\"winner\":\"C\"}", request.schemaNode()));
  }

  @Test
  void theApiKeyNeverShowsInToStringOrTexts() throws Exception {
    Path keyFile = dir.resolve("key");
    Files.writeString(keyFile, "sk-secret-123\n");
    LlmConfig config = new LlmConfig("http://127.0.0.1:1/v1", null, keyFile.toString(), 100, 100, 1, 1, 1, 0, 0,
        true, null, true);
    ApiKey key = ApiKey.resolve(config);
    assertEquals("ApiKey[***]", key.toString());
    assertEquals("Bearer sk-secret-123", key.bearer());
    assertEquals("echo *** back", key.redact("echo sk-secret-123 back"));
    assertFalse(config.toString().contains("sk-secret"));
    assertFalse(new OpenAiCompatibleClient(config, new java.util.concurrent.Semaphore(1)).toString()
        .contains("sk-secret"));
  }
}
