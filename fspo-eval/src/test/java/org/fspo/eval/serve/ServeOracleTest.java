package org.fspo.eval.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.eval.generate.Generator;
import org.fspo.eval.generate.ModelResponseWriter;
import org.fspo.eval.generate.SamplingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fspo serve --method oracle: the prompt carries a user description and no shots, from the request's
 * fspo_user_description or the stored user's; the text equals eval's sampler on the same description, question and
 * seed; without a description the request is refused, as is a description sent to a model that reads shots.
 */
class ServeOracleTest {
  @TempDir Path dir;

  /** TinyServe's users, user0 with a stored description, the others without. */
  static List<PreferencePair> described() {
    List<PreferencePair> out = new ArrayList<>();
    for (PreferencePair p : TinyServe.pairs()) {
      out.add(new PreferencePair(p.userId(), p.pairId(), p.prompt(), p.chosen(), p.rejected(),
          p.userId().equals("user0") ? "prefers warm and kind words" : null, p.domain(), p.split(), null));
    }
    return out;
  }

  private static String evalText(ServedModel model, String user, String description, int maxTokens, long seed) {
    Generator g = new Generator(model.policy(), new SamplingConfig(1.0, 1.0, maxTokens, seed), model.codec().eosId());
    ModelResponseWriter writer = new ModelResponseWriter(g, model.codec(), model.format(), true, "oracle");
    return writer.respond(new Episode(user, List.of(), ServedModel.query(user, "What about tea?", description)));
  }

  private static int promptTokens(ServedModel model, String user, String description) {
    PreferencePair query = ServedModel.query(user, "What about tea?", description);
    return model.codec().encode(model.prompt(List.of(), query)).length;
  }

  private static JsonNode ok(HttpResponse<String> r, String source) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(source, r.headers().firstValue("X-FSPO-Personalization").orElseThrow());
    assertEquals("0", r.headers().firstValue("X-FSPO-Shots").orElseThrow());
    return ServeHttpErrorsTest.JSON.readTree(r.body());
  }

  @Test
  void theOracleAnswersFromTheRequestsOrTheStoredDescription() throws Exception {
    try (TinyServe s = new TinyServe(TinyServe.oracleRun(dir), "oracle", described(), null, 4, 8)) {
      String url = s.base() + "/chat/completions", id = s.model.id();
      String opts = ", \"temperature\": 1, \"seed\": 5, \"max_tokens\": 8";
      JsonNode sent = ok(ServeHttpErrorsTest.post(url, ServeHttpErrorsTest.chat(id, opts + ", \"user\": \"user2\", "
          + "\"fspo_user_description\": \"likes cold and short notes on books and music\""), null),
          "fspo_user_description");
      assertEquals("fspo-fspo_user_description", sent.get("system_fingerprint").asText());
      assertEquals(evalText(s.model, "user2", "likes cold and short notes on books and music", 8, 5),
          sent.at("/choices/0/message/content").asText());
      JsonNode stored = ok(ServeHttpErrorsTest.post(url, ServeHttpErrorsTest.chat(id, opts + ", \"user\": \"user0\""),
          null), "user");
      assertEquals("fspo-user-description", stored.get("system_fingerprint").asText());
      // the description reaches the prompt: another description gives another text for the same user and question
      // the description is in the prompt: its tokens are counted, and a description-less prompt is shorter
      int withIt = promptTokens(s.model, "user2", "likes cold and short notes on books and music");
      assertEquals(withIt, sent.at("/usage/prompt_tokens").asInt());
      org.junit.jupiter.api.Assertions.assertTrue(withIt > promptTokens(s.model, "user2", null) + 8, sent.toString());
      assertEquals(evalText(s.model, "user0", "prefers warm and kind words", 8, 5),
          stored.at("/choices/0/message/content").asText());
      assertEquals(promptTokens(s.model, "user0", "prefers warm and kind words"),
          stored.at("/usage/prompt_tokens").asInt());
      // no description anywhere: refused, naming the field; an unknown user: 404
      assertEquals("fspo_user_description", ServeHttpErrorsTest.error(ServeHttpErrorsTest.post(url,
          ServeHttpErrorsTest.chat(id, opts + ", \"user\": \"user1\""), null), 400).get("param").asText());
      assertEquals("fspo_user_description", ServeHttpErrorsTest.error(ServeHttpErrorsTest.post(url,
          ServeHttpErrorsTest.chat(id, opts), null), 400).get("param").asText());
      assertEquals("user_not_found", ServeHttpErrorsTest.error(ServeHttpErrorsTest.post(url,
          ServeHttpErrorsTest.chat(id, opts + ", \"user\": \"nobody\""), null), 404).get("code").asText());
    }
  }

  @Test
  void aDescriptionSentToAShotReadingModelIsRefused() throws Exception {
    try (TinyServe s = new TinyServe(dir, null, 4, 8)) {
      JsonNode e = ServeHttpErrorsTest.error(ServeHttpErrorsTest.post(s.base() + "/chat/completions",
          ServeHttpErrorsTest.chat(s.model.id(), ", \"fspo_user_description\": \"likes tea\""), null), 400);
      assertEquals("fspo_user_description", e.get("param").asText());
    }
  }
}
