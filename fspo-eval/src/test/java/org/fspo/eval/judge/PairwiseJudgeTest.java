package org.fspo.eval.judge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.eval.metrics.BootstrapCi;
import org.fspo.eval.metrics.Outcome;
import org.fspo.eval.metrics.WinRate;
import org.fspo.eval.metrics.WinRateCell;
import org.fspo.synth.llm.LlmConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The judge path against a loopback OpenAI-compatible server (WireMock). Each stub answers by which output the
 * request shows first, so order flips are real: "MODEL-k" before "BASE-k" in the body is the model-first order.
 */
class PairwiseJudgeTest {
  WireMockServer server;
  JudgeConfig config;

  @BeforeEach
  void start() {
    server = new WireMockServer(options().dynamicPort());
    server.start();
    LlmConfig llm = new LlmConfig("http://localhost:" + server.port() + "/v1", null, null, 2000, 5000, 4, 1, 2, 10,
        50, false, Map.of(), false);
    config = new JudgeConfig("judge-model", 0.0, 1, true, 5, 7L, llm);
  }

  LlmJudgeClient client() {
    return LlmJudgeClient.open(config, null);
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  /** Answers {@code modelFirst} when MODEL-k is shown first and {@code modelSecond} when BASE-k is. */
  void stubPair(int k, String modelFirst, String modelSecond, String logprobs) {
    server.stubFor(post(urlEqualTo("/v1/chat/completions"))
        .withRequestBody(matching("(?s).*MODEL-" + k + "\\b.*BASE-" + k + "\\b.*"))
        .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(completion(modelFirst, logprobs))));
    server.stubFor(post(urlEqualTo("/v1/chat/completions"))
        .withRequestBody(matching("(?s).*BASE-" + k + "\\b.*MODEL-" + k + "\\b.*"))
        .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(completion(modelSecond, logprobs))));
  }

  static String completion(String content, String topLogprobs) {
    String logprobs = topLogprobs == null ? "null" : "{\"content\": [{\"token\": \"x\", \"logprob\": -0.1, \"top_logprobs\": ["
        + topLogprobs + "]}]}";
    return "{\"id\": \"c\", \"object\": \"chat.completion\", \"choices\": [{\"index\": 0, \"message\": {\"role\": "
        + "\"assistant\", \"content\": " + com.fasterxml.jackson.databind.node.TextNode.valueOf(content) + "}, \"logprobs\": "
        + logprobs + ", \"finish_reason\": \"stop\"}]}";
  }

  static JudgeItem item(int k, String user) {
    return new JudgeItem(user, "p" + k, "procedural", "fspo", 4, "Question " + k + "?", "Likes detail.",
        "MODEL-" + k + " answer", "BASE-" + k + " reply!");
  }

  @Test
  void bothOrdersDecideAndFlipsAndMalformedVerdictsAreCountedNotFatal() {
    stubPair(1, "m", "M", null);                       // model wins in both orders
    stubPair(2, "M", "m", null);                       // baseline wins in both orders
    stubPair(3, "m", "m", null);                       // always the first position: inconsistent
    stubPair(4, "I prefer the first one", "M", null);  // malformed in one order
    stubPair(5, " M\n", "`m`", null);                  // baseline wins, sloppy but valid identifiers
    PairwiseJudge judge = new PairwiseJudge(client());
    List<Judgment> judgments = judge.judgeAll(List.of(item(1, "a"), item(2, "a"), item(3, "b"), item(4, "b"), item(5, "c")));
    assertEquals(List.of(Outcome.WIN, Outcome.LOSS, Outcome.INCONSISTENT, Outcome.MALFORMED, Outcome.LOSS),
        judgments.stream().map(Judgment::outcome).toList());
    assertEquals("I prefer the first one", judgments.get(3).rawModelFirst());

    WinRateCell cell = WinRate.cell(judgments.stream().map(Judgment::toPairOutcome).toList(), BootstrapCi.DEFAULT,
        config.model());
    assertEquals(1.0 / 3, cell.winRate(), 1e-12);
    assertEquals(3, cell.n());
    assertEquals(1, cell.nDropped());
    assertEquals(1, cell.nMalformed());
    assertNull(cell.weightedWinRate()); // this server sent no logprobs
    assertEquals("MODEL-1 answer".length(), cell.avgLengthModel(), 1e-12);
    assertEquals("BASE-1 reply!".length(), cell.avgLengthBaseline(), 1e-12);
    server.verify(10, postRequestedFor(urlEqualTo("/v1/chat/completions"))
        .withHeader("Content-Type", equalTo("application/json"))
        .withRequestBody(matchingJsonPath("$.model", equalTo("judge-model")))
        .withRequestBody(matchingJsonPath("$.messages[0].role", equalTo("system")))
        .withRequestBody(matchingJsonPath("$.messages[1].content", matching("(?s).*### User Description\\s+Likes detail\\..*")))
        .withRequestBody(matchingJsonPath("$.top_logprobs", equalTo("5")))
        .withRequestBody(matchingJsonPath("$.logprobs", equalTo("true")))
        .withRequestBody(matchingJsonPath("$.seed", equalTo("7"))));
  }

  @Test
  void logprobsGiveTheWeightedWinRate() {
    // model shown first: P(m) = 0.8 -> 0.8 for the model; model shown second: P(M) = 0.6 / (0.6 + 0.4) = 0.6
    stubPair(1, "m", "M", null);
    server.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
        .withRequestBody(matching("(?s).*MODEL-1\\b.*BASE-1\\b.*"))
        .willReturn(aResponse().withBody(completion("m",
            "{\"token\": \"m\", \"logprob\": " + Math.log(0.8) + "}, {\"token\": \"M\", \"logprob\": " + Math.log(0.2) + "}"))));
    server.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
        .withRequestBody(matching("(?s).*BASE-1\\b.*MODEL-1\\b.*"))
        .willReturn(aResponse().withBody(completion("M",
            "{\"token\": \"M\", \"logprob\": " + Math.log(0.6) + "}, {\"token\": \" m\", \"logprob\": " + Math.log(0.4) + "}"))));
    Judgment j = new PairwiseJudge(client()).judge(item(1, "a"));
    assertEquals(Outcome.WIN, j.outcome());
    assertEquals((0.8 + 0.6) / 2, j.modelProbability(), 1e-9);
  }

  @Test
  void retriesServerErrorsThenSucceeds() {
    server.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
    server.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("flaky").whenScenarioStateIs("up")
        .willReturn(aResponse().withBody(completion("M", null))));
    JudgeReply reply = client().complete(JudgePrompt.messages("q", "a", "b", null));
    assertEquals("M", reply.text());
    server.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions")));
  }

  @Test
  void aBadRequestIsOneLineUserErrorNotAVerdict() {
    server.stubFor(post(urlEqualTo("/v1/chat/completions"))
        .willReturn(aResponse().withStatus(400).withBody("{\"error\": {\"message\": \"model 'judge-model' not found\"}}")));
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> client().complete(JudgePrompt.messages("q", "a", "b", null)));
    assertTrue(e.getMessage().contains("model 'judge-model' not found") && !e.getMessage().contains("\n"),
        e.getMessage());
    server.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
  }

  @Test
  void aVerdictThatIsNotAnIdentifierInEitherOrderIsMalformed() {
    stubPair(9, "Both are fine.", "", null);
    Judgment j = new PairwiseJudge(client()).judge(item(9, "z"));
    assertEquals(Outcome.MALFORMED, j.outcome());
    assertEquals("Both are fine.", j.rawModelFirst());
  }
}
