package org.fspo.synth.llm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a real loopback HTTP server (WireMock) with injected faults. */
class OpenAiCompatibleClientTest {
  private static final String PATH = "/v1/chat/completions";
  private static WireMockServer server;
  private OpenAiCompatibleClient client;

  static String completion(String content) {
    return "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
        + "\"content\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(content) + "},\"finish_reason\":\"stop\"}]}";
  }

  @BeforeAll
  static void startServer() {
    server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop();
  }

  @BeforeEach
  void reset() {
    server.resetAll();
    LlmConfig config = new LlmConfig("http://127.0.0.1:" + server.port() + "/v1", null, null, 2000, 400, 4, 1, 4,
        10, 50, true, Map.of("options", Map.of("num_ctx", 8192)), true);
    client = new OpenAiCompatibleClient(config, new Semaphore(4));
  }

  private static ChatRequest request(String text) {
    return new ChatRequest("tiny", List.of(ChatMessage.user(text)), 0.7, 64, 7, null);
  }

  /** The first {@code failures} answers come from {@code fault}, then a good completion. */
  private void failThenSucceed(int failures, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder fault) {
    for (int i = 0; i < failures; i++) {
      server.stubFor(post(urlEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs(i == 0 ? STARTED : "f" + i)
          .willSetStateTo("f" + (i + 1)).willReturn(fault));
    }
    server.stubFor(post(urlEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs("f" + failures)
        .willReturn(aResponse().withStatus(200).withBody(completion("fine"))));
  }

  private static void assertOk(String content, int attempts, LlmResult result) {
    assertTrue(result.isOk(), String.valueOf(result));
    assertEquals(content, result.content());
    assertEquals(attempts, result.attempts());
  }

  @Test
  void sendsHttp11WithSeedAndExtraBodyAndReadsTheAnswer() {
    server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody(completion("hello"))));
    LlmResult result = client.complete(request("hi"));
    assertOk("hello", 1, result);
    server.verify(postRequestedFor(urlEqualTo(PATH))
        .withRequestBody(matchingJsonPath("$.seed", equalTo("7")))
        .withRequestBody(matchingJsonPath("$.model", equalTo("tiny")))
        .withRequestBody(matchingJsonPath("$.options.num_ctx", equalTo("8192")))
        .withRequestBody(matchingJsonPath("$.messages[0].content", equalTo("hi"))));
    LoggedRequest logged = server.getAllServeEvents().get(0).getRequest();
    assertEquals("HTTP/1.1", logged.getProtocol());
    assertFalse(logged.containsHeader("Upgrade"), "no h2c upgrade");
  }

  @Test
  void retries500ThenSucceeds() {
    failThenSucceed(2, aResponse().withStatus(500).withBody("{\"error\":{\"message\":\"boom\"}}"));
    assertOk("fine", 3, client.complete(request("a")));
    assertEquals(3, server.getAllServeEvents().size());
  }

  @Test
  void retries429HonouringRetryAfter() {
    failThenSucceed(1, aResponse().withStatus(429).withHeader("Retry-After", "0"));
    assertOk("fine", 2, client.complete(request("b")));
  }

  @Test
  void retriesAfterATimeoutConnectionResetAndBrokenBodies() {
    failThenSucceed(1, aResponse().withStatus(200).withFixedDelay(1500).withBody(completion("too late")));
    assertOk("fine", 2, client.complete(request("c")));
    server.resetAll();
    failThenSucceed(1, aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    assertOk("fine", 2, client.complete(request("d")));
    server.resetAll();
    failThenSucceed(2, aResponse().withStatus(200).withBody("{\"choices\":[{\"message\":{\"content\":\"tru"));
    assertOk("fine", 3, client.complete(request("e")));
    server.resetAll();
    failThenSucceed(1, aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK));
    assertOk("fine", 2, client.complete(request("f")));
  }

  @Test
  void never400Or422AndKeepsTheServerMessage() {
    server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(400)
        .withBody("{\"error\":{\"message\":\"prompt too long: 9000 > 8192 tokens\"}}")));
    LlmResult result = client.complete(request("g"));
    assertFalse(result.isOk());
    assertEquals("client_error", result.reason());
    assertEquals("HTTP 400: prompt too long: 9000 > 8192 tokens", result.detail());
    assertEquals(1, result.attempts());
    assertEquals(1, server.getAllServeEvents().size());
    server.resetAll();
    server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(422).withBody("{\"detail\":\"bad\"}")));
    assertEquals("HTTP 422: bad", client.complete(request("h")).detail());
    assertEquals(1, server.getAllServeEvents().size());
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheLastError() {
    server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(503).withBody("overloaded")));
    LlmResult result = client.complete(request("i"));
    assertEquals("retries_exhausted", result.reason());
    assertEquals(4, result.attempts());
    assertEquals("4 attempts failed; last: HTTP 503: overloaded", result.detail());
    assertEquals(4, server.getAllServeEvents().size());
  }

  @Test
  void sendsResponseFormatJsonSchemaForStructuredCalls() {
    server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody(completion("{}"))));
    client.complete(new ChatRequest("tiny", List.of(ChatMessage.user("x")), 0, 8, 1,
        "{\"type\":\"object\",\"required\":[\"a\"]}"));
    server.verify(postRequestedFor(urlEqualTo(PATH))
        .withRequestBody(matchingJsonPath("$.response_format.type", equalTo("json_schema")))
        .withRequestBody(matchingJsonPath("$.response_format.json_schema.schema.required[0]", equalTo("a"))));
  }

  @Test
  void retryAfterIsHonouredUpToTheCap() {
    RetryPolicy policy = new RetryPolicy(5, 10, 10_000);
    assertTrue(policy.delay(1, Optional.of("3")).toMillis() >= 3000);
    assertTrue(new RetryPolicy(5, 10, 1000).delay(1, Optional.of("3")).toMillis() <= 1000);
    long backoff = policy.delay(3, Optional.empty()).toMillis(); // 10 * 2^2 = 40, jittered into [20, 60)
    assertTrue(backoff >= 20 && backoff < 60, "backoff " + backoff);
    assertNull(RetryPolicy.parseRetryAfterMs("soon").orElse(null));
  }

  @Test
  void aClosedPortIsNamedAsConnectionRefusedNeverNull() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort(); // closed again when the block ends: nothing listens there
    }
    LlmConfig config = new LlmConfig("http://127.0.0.1:" + port + "/v1", null, null, 2000, 400, 4, 1, 2, 1, 5,
        true, Map.of(), true);
    LlmResult result = new OpenAiCompatibleClient(config, new Semaphore(1)).complete(request("a"));
    assertEquals("retries_exhausted", result.reason());
    assertEquals("2 attempts failed; last: connection refused to 127.0.0.1:" + port, result.detail());
  }
}
