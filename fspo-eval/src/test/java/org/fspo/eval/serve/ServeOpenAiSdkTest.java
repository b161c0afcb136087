package org.fspo.eval.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.fspo.core.episode.PreferencePair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fspo serve through the official OpenAI Java SDK, offline on loopback: every answer is checked against what eval's
 * sampler (ModelResponseWriter + Generator) writes for the same user, shots, question and seed.
 */
class ServeOpenAiSdkTest {
  @TempDir static Path dir;
  static TinyServe serve;
  static OpenAIClient client;
  static final String Q = "What about rain?";
  static final String[][] SHOTS = {{"What about tea?", "warm and kind words about tea", "cold and short note on tea"},
      {"What about cats?", "cold and short note on cats", "warm and kind words about cats"}};

  @BeforeAll
  static void start() throws Exception {
    serve = new TinyServe(dir, null, 8, 32);
    client = OpenAIOkHttpClient.builder().baseUrl(serve.base()).apiKey("unused").maxRetries(0).build();
  }

  @AfterAll
  static void stop() throws Exception {
    serve.close();
  }

  static ChatCompletionCreateParams.Builder chat(long seed) {
    return ChatCompletionCreateParams.builder().model(serve.model.id()).addSystemMessage("ignored")
        .addUserMessage(Q).maxCompletionTokens(20).temperature(1.0).topP(0.9).seed(seed);
  }

  static JsonValue shotsJson() {
    List<Map<String, String>> shots = new ArrayList<>();
    for (String[] s : SHOTS) shots.add(Map.of("question", s[0], "preferred", s[1], "dispreferred", s[2]));
    return JsonValue.from(shots);
  }

  @Test
  void chatWithFspoShotsEqualsEvalsSampler() {
    ChatCompletion c = client.chat().completions().create(chat(11).putAdditionalBodyProperty("fspo_shots",
        shotsJson()).build());
    String want = serve.evalResponse("anonymous", TinyServe.requestShots("anonymous", SHOTS), Q, 1.0, 0.9, 20, 11);
    assertFalse(want.isEmpty(), "a comparison of empty texts would prove nothing");
    assertEquals(want, c.choices().get(0).message().content().orElseThrow());
    assertEquals("fspo-fspo_shots-2", c.systemFingerprint().orElseThrow());
    assertEquals(serve.model.id(), c.model());
    var usage = c.usage().orElseThrow();
    String prompt = serve.model.prompt(TinyServe.requestShots("anonymous", SHOTS), ServedModel.query("anonymous", Q));
    assertEquals(serve.model.codec().encode(prompt).length, usage.promptTokens());
    assertTrue(usage.completionTokens() >= 1 && usage.completionTokens() <= 20, usage.toString());
    assertEquals(usage.promptTokens() + usage.completionTokens(), usage.totalTokens());
  }

  @Test
  void storedUserGetsTheirMostRecentPairsAsShots() {
    ChatCompletion c = client.chat().completions().create(chat(3).user("user1").build());
    List<PreferencePair> recent = TinyServe.pairs().subList(10, 12); // user1's last two: u1q4, u1q5
    assertEquals(serve.evalResponse("user1", recent, Q, 1.0, 0.9, 20, 3), c.choices().get(0).message().content().get());
    assertEquals("fspo-user-2", c.systemFingerprint().orElseThrow());
  }

  @Test
  void withNeitherTheAnswerIsZeroShotAndSaysSo() {
    ChatCompletion c = client.chat().completions().create(chat(5).build());
    assertEquals(serve.evalResponse("anonymous", List.of(), Q, 1.0, 0.9, 20, 5),
        c.choices().get(0).message().content().get());
    assertEquals("fspo-zero-shot", c.systemFingerprint().orElseThrow());
    String stop = c.choices().get(0).finishReason().asString();
    assertTrue(stop.equals("stop") || stop.equals("length"), stop);
  }

  @Test
  void completionsEndpointAnswersThePromptAsTheQuestion() {
    Completion c = client.completions().create(CompletionCreateParams.builder().model(serve.model.id()).prompt(Q)
        .maxTokens(20).temperature(1.0).topP(0.9).seed(5).build());
    assertEquals(serve.evalResponse("anonymous", List.of(), Q, 1.0, 0.9, 20, 5), c.choices().get(0).text());
  }

  @Test
  void streamingSendsTheSameTextInChunks() {
    ChatCompletionCreateParams params = chat(11).putAdditionalBodyProperty("fspo_shots", shotsJson())
        .maxCompletionTokens(40).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .build();
    StringBuilder text = new StringBuilder();
    List<String> finish = new ArrayList<>();
    long[] completionTokens = {-1};
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunk -> {
        chunk.usage().ifPresent(u -> completionTokens[0] = u.completionTokens());
        for (ChatCompletionChunk.Choice ch : chunk.choices()) {
          ch.delta().content().ifPresent(text::append);
          ch.finishReason().ifPresent(f -> finish.add(f.asString()));
        }
      });
    }
    ChatCompletion whole = client.chat().completions().create(chat(11).putAdditionalBodyProperty("fspo_shots",
        shotsJson()).maxCompletionTokens(40).build());
    assertEquals(whole.choices().get(0).message().content().get(), text.toString());
    assertEquals(List.of(whole.choices().get(0).finishReason().asString()), finish);
    assertEquals(whole.usage().get().completionTokens(), completionTokens[0]);
  }

  @Test
  void nChoicesHaveTheirOwnStreamsAndTheFirstIsTheSingleAnswer() {
    ChatCompletion two = client.chat().completions().create(chat(5).n(3).build());
    assertEquals(3, two.choices().size());
    assertEquals(serve.evalResponse("anonymous", List.of(), Q, 1.0, 0.9, 20, 5),
        two.choices().get(0).message().content().get());
    assertNotEquals(two.choices().get(1).message().content(), two.choices().get(2).message().content());
  }

  @Test
  void concurrentRequestsBatchedTogetherGiveTheirSequentialAnswers() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int s = 0; s < 8; s++) {
        long seed = 100 + s;
        answers.add(pool.submit(() -> client.chat().completions().create(chat(seed).build()).choices().get(0)
            .message().content().get()));
      }
      assertTrue(answers.stream().map(f -> {
        try {
          return f.get();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }).distinct().count() > 4, "different seeds give different texts");
      for (int s = 0; s < 8; s++) {
        assertEquals(serve.evalResponse("anonymous", List.of(), Q, 1.0, 0.9, 20, 100 + s), answers.get(s).get(),
            "seed " + (100 + s));
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void modelsListsTheServedModel() {
    var models = client.models().list();
    assertEquals(List.of(serve.model.id()), models.data().stream().map(m -> m.id()).toList());
  }

  @Test
  void errorsMapToTheSdksExceptions() {
    NotFoundException model = assertThrows(NotFoundException.class, () -> client.chat().completions().create(
        ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage(Q).build()));
    assertTrue(model.getMessage().contains("gpt-4o"), model.getMessage());
    assertThrows(NotFoundException.class, () -> client.chat().completions().create(chat(1).user("nobody").build()));
    BadRequestException tooLong = assertThrows(BadRequestException.class,
        () -> client.chat().completions().create(chat(1).maxCompletionTokens(100_000).build()));
    assertEquals("max_tokens", tooLong.param().orElseThrow());
    assertEquals("context_length_exceeded", tooLong.code().orElseThrow());
    BadRequestException noDispreferred = assertThrows(BadRequestException.class, () -> client.chat().completions()
        .create(chat(1).putAdditionalBodyProperty("fspo_shots", JsonValue.from(List.of(Map.of("question", "q",
            "preferred", "w")))).build()));
    assertTrue(noDispreferred.getMessage().contains("dispreferred"), noDispreferred.getMessage());
    assertFalse(client.chat().completions().create(chat(2).build()).choices().isEmpty(), "still serving");
  }
}
