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
      return LlmResult.ok("echo " + request.messages().get(0).content(), 2);
    };
    CachingLlmClient first = new CachingLlmClient(counting, new ResponseCache(dir));
    LlmResult a = first.complete(request("a", 1));
    assertEquals(1, calls.get());
    CachingLlmClient second = new CachingLlmClient(counting, new ResponseCache(dir)); // e.g. after kill -9
    assertEquals(a, second.complete(request("a", 1)));
    assertEquals(1, calls.get());
    assertEquals(1, second.hits());
    second.complete(request("a", 2)); // another seed is another call
    assertEquals(2, calls.get());
    try (Stream<Path> files = Files.walk(dir)) {
      assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")));
    }
  }

  @Test
  void failuresAreNeverCachedSoARerunCallsAgain() {
    AtomicInteger calls = new AtomicInteger();
    List<LlmResult> failures = List.of(
        LlmResult.failed("retries_exhausted", "3 attempts failed; last: connection refused to 127.0.0.1:9", null, 3),
        LlmResult.failed("retries_exhausted", "3 attempts failed; last: HTTP 503: overloaded", "{}", 3),
        LlmResult.failed("client_error", "HTTP 400: invalid key", "{}", 1),
        LlmResult.failed("bad_request", "HTTP 401 from http://x/v1/chat/completions: no", "{}", 1),
        LlmResult.failed(CircuitBreaker.UNAVAILABLE, "the LLM server http://x/v1 failed 8 calls in a row", null, 0));
    for (LlmResult failure : failures) {
      CachingLlmClient client = new CachingLlmClient(r -> {
        calls.incrementAndGet();
        return failure;
      }, new ResponseCache(dir));
      assertEquals(failure, client.complete(request(failure.detail(), 1)));
      assertEquals(failure, client.complete(request(failure.detail(), 1)));
    }
    assertEquals(2 * failures.size(), calls.get(), "every failed call was made again");
    try (Stream<Path> files = Files.walk(dir)) {
      assertEquals(0, files.filter(Files::isRegularFile).count(), "nothing was written to the cache");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aFailureCachedByAnOlderVersionIsIgnoredAndReplacedByTheAnswer() throws Exception {
    ChatRequest request = request("q", 1);
    String key = request.cacheKey();
    Path file = Files.createDirectories(dir.resolve(key.substring(0, 2))).resolve(key + ".json");
    Files.writeString(file, "{\"key\":\"" + key + "\",\"result\":{\"is_ok\":false,\"content\":null,"
        + "\"reason\":\"retries_exhausted\",\"detail\":\"ConnectException: null\",\"raw\":null,\"attempts\":6}}");
    CachingLlmClient client = new CachingLlmClient(r -> LlmResult.ok("answer", 1), new ResponseCache(dir));
    assertEquals(LlmResult.ok("answer", 1), client.complete(request));
    assertEquals(1, client.misses());
    assertEquals(java.util.Optional.of(LlmResult.ok("answer", 1)), new ResponseCache(dir).get(key));
  }

  @Test
  void invalidJsonAfterTheRepairIsAContentVerdictThatARerunReadsFromTheCache() {
    String schema = "{\"type\":\"object\",\"required\":[\"winner\"]}";
    ChatRequest request = new ChatRequest("m", List.of(ChatMessage.user("judge")), 0, 16, 1, schema);
    AtomicInteger calls = new AtomicInteger();
    LlmClient server = r -> {
      calls.incrementAndGet();
      return LlmResult.ok("{not json", 1);
    };
    JsonAnswer.Parsed first = JsonAnswer.complete(new CachingLlmClient(server, new ResponseCache(dir)), request);
    assertEquals("invalid_output", first.result().reason());
    assertEquals(2, calls.get(), "the answer and the repair");
    JsonAnswer.Parsed again = JsonAnswer.complete(new CachingLlmClient(server, new ResponseCache(dir)), request);
    assertEquals(first.result().reason(), again.result().reason());
    assertEquals(first.result().raw(), again.result().raw());
    assertEquals(2, calls.get(), "the rerun reached the same verdict from the cache");
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
