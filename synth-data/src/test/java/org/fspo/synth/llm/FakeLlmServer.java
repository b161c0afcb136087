package org.fspo.synth.llm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback OpenAI-compatible server for tests: WireMock plus a transformer that answers each request from its
 * content (the test templates start with "STAGE:name"), deterministically, and injects faults keyed on a hash of
 * the request body, so the same request meets the same fault in every run:
 *
 * <pre>
 * hash % 9 == 0 -> first attempt 500        hash % 9 == 3 -> first attempt 200 with truncated JSON
 * hash % 9 == 1 -> first attempt 429, Retry-After: 0    hash % 9 == 4 -> first attempt delayed past the timeout
 * hash % 9 == 2 -> first attempt connection reset        hash % 9 == 5 -> structured answer not JSON (repair path)
 * a persona with "mood: poison"  -> always 400 (quarantine, never retried)
 * a question slot INDEX:2 of "style is wordy" -> invalid JSON every time (quarantine after one repair)
 * a question slot INDEX:3 -> the same text as INDEX:1 (a duplicate question)
 * a judge item with hash % 4 == 0 -> always "A" (position bias: the pair flips and is dropped)
 * </pre>
 * The judge otherwise prefers the response r with the larger sha256(person + r): consistent in both orders.
 */
public final class FakeLlmServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final int TIMEOUT_DELAY_MS = 1500;

  private final WireMockServer server;
  private final Faker faker = new Faker();

  public FakeLlmServer() {
    this(0);
  }

  /** A server on {@code port} (0: any free port), e.g. the port a test first found closed. */
  public FakeLlmServer(int port) {
    server = new WireMockServer((port == 0 ? wireMockConfig().dynamicPort() : wireMockConfig().port(port))
        .bindAddress("127.0.0.1").extensions(faker).containerThreads(40));
    server.start();
    server.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)));
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port() + "/v1";
  }

  /** Request bodies answered with a usable 200, by body hash; a value above 1 is a call made twice. */
  public Map<String, Integer> answered() {
    return faker.answered;
  }

  /** Every distinct Authorization header the server received ("none" for a request without one). */
  public Set<String> authorizations() {
    return Set.copyOf(faker.authorizations);
  }

  public int requests() {
    return faker.requests.get();
  }

  /** Requests that were made to hang (see {@link #hangAfter}). */
  public int hanging() {
    return faker.hanging.get();
  }

  /** After {@code n} more answered calls, every request hangs (to abort a run partway); -1 never. */
  public void hangAfter(int n) {
    faker.hangAt.set(n < 0 ? Integer.MAX_VALUE : faker.answeredCount.get() + n);
  }

  /** After {@code n} more answered calls, every request has its connection reset (the server died); -1 never. */
  public void dieAfter(int n) {
    faker.dieAt.set(n < 0 ? Integer.MAX_VALUE : faker.answeredCount.get() + n);
  }

  /** Requests refused since the server "died" (see {@link #dieAfter}). */
  public int refusedWhileDead() {
    return faker.dead.get();
  }

  /** Forgets all counts and fault states (a fresh server for an independent run). */
  public void reset() {
    faker.answered.clear();
    faker.attempts.clear();
    faker.requests.set(0);
    faker.answeredCount.set(0);
    faker.hangAt.set(Integer.MAX_VALUE);
    faker.hanging.set(0);
    faker.dieAt.set(Integer.MAX_VALUE);
    faker.dead.set(0);
  }

  @Override
  public void close() {
    server.stop();
  }

  static String sha(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static int bucket(String text, int modulo) {
    return Math.floorMod(sha(text).hashCode(), modulo);
  }

  private static final class Faker implements ResponseDefinitionTransformerV2 {
    final Map<String, Integer> answered = new ConcurrentHashMap<>();
    final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger(), answeredCount = new AtomicInteger();
    final AtomicInteger hanging = new AtomicInteger();
    final AtomicInteger hangAt = new AtomicInteger(Integer.MAX_VALUE);
    final AtomicInteger dieAt = new AtomicInteger(Integer.MAX_VALUE), dead = new AtomicInteger();
    final Set<String> authorizations = ConcurrentHashMap.newKeySet();

    @Override
    public String getName() {
      return "fake-llm";
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      requests.incrementAndGet();
      String authorization = event.getRequest().getHeader("Authorization");
      authorizations.add(authorization == null ? "none" : authorization);
      String body = event.getRequest().getBodyAsString();
      if (answeredCount.get() >= dieAt.get()) {
        dead.incrementAndGet();
        return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
      }
      if (answeredCount.get() >= hangAt.get()) {
        hanging.incrementAndGet();
        return aResponse().withStatus(200).withFixedDelay(30_000).withBody(completion("late")).build();
      }
      String key = sha(body);
      int attempt = attempts.merge(key, 1, Integer::sum);
      try {
        JsonNode request = JSON.readTree(body);
        JsonNode messages = request.path("messages");
        String prompt = messages.get(0).path("content").asText();
        boolean repair = messages.size() > 1;
        int fault = bucket(body, 9);
        if (attempt == 1 && !repair) {
          switch (fault) {
            case 0: return aResponse().withStatus(500).withBody("{\"error\":{\"message\":\"injected\"}}").build();
            case 1: return aResponse().withStatus(429).withHeader("Retry-After", "0").build();
            case 2: return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
            case 3: return aResponse().withStatus(200).withBody("{\"choices\":[{\"message\":{\"cont").build();
            case 4: return aResponse().withStatus(200).withFixedDelay(TIMEOUT_DELAY_MS).withBody(completion("slow"))
                .build();
            default: break;
          }
        }
        if (prompt.startsWith("STAGE:persona") && prompt.contains("mood: poison")) {
          return aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"prompt rejected by policy\"}}")
              .build();
        }
        boolean broken = fault == 5 && !repair;
        String content = answer(prompt, repair, broken);
        if (!broken) { // a deliberately broken answer is not usable: the client repairs it, or asks again next run
          answered.merge(key, 1, Integer::sum);
        }
        answeredCount.incrementAndGet();
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
            .withBody(completion(content)).build();
      } catch (java.io.IOException e) {
        return aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"bad json\"}}").build();
      }
    }

    private static String answer(String prompt, boolean repair, boolean breakIt) throws java.io.IOException {
      if (breakIt) {
        return "Sure! Here is the answer you wanted";
      }
      String stage = line(prompt, "STAGE:");
      switch (stage) {
        case "persona":
          return json(Map.of("description", "A person with " + line(prompt, "TRAITS:") + "."));
        case "question":
          if (line(prompt, "INDEX:").equals("2") && line(prompt, "AUDIENCE:").contains("style is wordy")) {
            return repair ? "still {not json" : "{\"question\": ";
          }
          String index = line(prompt, "INDEX:").equals("3") ? "1" : line(prompt, "INDEX:"); // INDEX 3 repeats 1
          return json(Map.of("question", "Question " + index + " for " + line(prompt, "AUDIENCE:") + "?"));
        case "views": {
          int k = Integer.parseInt(line(prompt, "K:"));
          java.util.List<String> views = new java.util.ArrayList<>();
          for (int i = 0; i < k; i++) {
            views.add("view " + i + " on " + line(prompt, "QUESTION:"));
          }
          return json(Map.of("views", views));
        }
        case "response":
          return "Answer from " + line(prompt, "VIEW:");
        case "judge": {
          String person = line(prompt, "PERSON:"), a = line(prompt, "A:"), b = line(prompt, "B:");
          String item = person + "|" + (a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a);
          boolean biased = bucket(item, 4) == 0;
          boolean preferA = biased || sha(person + a).compareTo(sha(person + b)) > 0;
          boolean enough = !person.contains("calm");
          return json(Map.of("preferred", preferA ? "A" : "B", "enough_information", enough,
              "missing", enough ? "" : "whether they like " + (preferA ? "the first" : "the second") + " style"));
        }
        default:
          return "unknown stage";
      }
    }

    private static String line(String prompt, String prefix) {
      for (String line : prompt.split("\n")) {
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length()).strip();
        }
      }
      return "";
    }

    private static String json(Object value) throws java.io.IOException {
      return JSON.writeValueAsString(value);
    }
  }

  static String completion(String content) {
    return "{\"id\":\"fake\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
        + "\"assistant\",\"content\":" + TextNode.valueOf(content) + "},\"finish_reason\":\"stop\"}]}";
  }
}
