package org.fspo.eval.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.FewShotPrompt;
import org.fspo.eval.generate.Generator;
import org.fspo.eval.generate.ModelResponseWriter;
import org.fspo.eval.generate.SamplingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fspo serve --method fspo_cot: the prompt is eval's COT prompt (shots, question, then the user description header),
 * the model's description comes back as the choice's fspo_user_description and its response as the content, both
 * equal to what eval's sampler writes for the same shots, question and seed, whole and streamed. (The tiny random
 * model never writes a response header, so its content is empty here as in eval; ChoiceTextTest checks the split on
 * a scripted token stream.)
 */
class ServeCotTest {
  @TempDir Path dir;
  static final int MAX = 16;
  static final long SEED = 5;

  private static ModelResponseWriter.Sample evalSample(ServedModel model, List<PreferencePair> shots) {
    Generator g = new Generator(model.policy(), new SamplingConfig(1.0, 1.0, MAX, SEED), model.codec().eosId());
    ModelResponseWriter writer = new ModelResponseWriter(g, model.codec(), model.format(), false, "fspo_cot");
    return writer.sample(new Episode("user1", shots, ServedModel.query("user1", "What about tea?")));
  }

  @Test
  void theDescriptionComesApartFromTheResponseAsEvalSplitsIt() throws Exception {
    try (TinyServe s = new TinyServe(TinyServe.cotRun(dir), "fspo_cot", TinyServe.pairs(), null, 4, 8)) {
      List<PreferencePair> shots = TinyServe.pairs().subList(10, 12); // user1's two most recent: u1q4, u1q5
      PreferencePair query = ServedModel.query("user1", "What about tea?");
      String evalPrompt = new ModelResponseWriter(null, s.model.codec(), s.model.format(), false, "fspo_cot")
          .prompt(new Episode("user1", shots, query)); // prompt() samples nothing
      assertEquals(evalPrompt, s.model.prompt(shots, query));
      assertEquals(true, evalPrompt.endsWith(FewShotPrompt.DESCRIPTION_HEADER), evalPrompt);

      ModelResponseWriter.Sample want = evalSample(s.model, shots);
      String description = ModelResponseWriter.descriptionPart(want.raw());
      assertFalse(description.isEmpty(), "a comparison of empty descriptions would prove nothing");
      String url = s.base() + "/chat/completions", id = s.model.id();
      String opts = ", \"temperature\": 1, \"seed\": " + SEED + ", \"max_tokens\": " + MAX + ", \"user\": \"user1\"";
      HttpResponse<String> r = ServeHttpErrorsTest.post(url, ServeHttpErrorsTest.chat(id, opts), null);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode body = ServeHttpErrorsTest.JSON.readTree(r.body());
      assertEquals(want.response(), body.at("/choices/0/message/content").asText());
      assertEquals(description, body.at("/choices/0/fspo_user_description").asText());
      assertEquals(s.model.codec().encode(evalPrompt).length, body.at("/usage/prompt_tokens").asInt());
      assertEquals(want.tokens(), body.at("/usage/completion_tokens").asInt(), "the description's tokens count");
      assertEquals("fspo-user-2", body.get("system_fingerprint").asText());

      // streamed: the content pieces join to the same text, and the choice's last chunk carries the description
      HttpResponse<String> st = ServeHttpErrorsTest.post(url, ServeHttpErrorsTest.chat(id, opts
          + ", \"stream\": true"), null);
      assertEquals(200, st.statusCode(), st.body());
      StringBuilder content = new StringBuilder();
      List<JsonNode> finals = new ArrayList<>();
      for (String line : st.body().split("\n")) {
        if (!line.startsWith("data: {")) continue;
        JsonNode choice = ServeHttpErrorsTest.JSON.readTree(line.substring(6)).at("/choices/0");
        content.append(choice.at("/delta/content").asText(""));
        if (!choice.get("finish_reason").isNull()) finals.add(choice);
      }
      assertEquals(want.response(), content.toString());
      assertEquals(1, finals.size(), st.body());
      assertEquals(description, finals.get(0).get("fspo_user_description").asText());

      // the official SDK keeps the field among the choice's additional properties
      OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(s.base()).apiKey("unused").maxRetries(0).build();
      ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model(id)
          .addUserMessage("What about tea?").maxCompletionTokens(MAX).temperature(1.0).seed(SEED).user("user1")
          .build());
      assertEquals(description, c.choices().get(0)._additionalProperties().get("fspo_user_description").asString()
          .orElseThrow());
    }
  }

  @Test
  void aDescriptionSentToTheCotModelIsRefused() throws Exception {
    try (TinyServe s = new TinyServe(TinyServe.cotRun(dir), "fspo_cot", TinyServe.pairs(), null, 4, 8)) {
      JsonNode e = ServeHttpErrorsTest.error(ServeHttpErrorsTest.post(s.base() + "/chat/completions",
          ServeHttpErrorsTest.chat(s.model.id(), ", \"fspo_user_description\": \"likes tea\""), null), 400);
      assertEquals("fspo_user_description", e.get("param").asText());
    }
  }
}
