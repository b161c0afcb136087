package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static Path store;

  /** Two users: u1 with 4 pairs (description on its first row only), u2 with 2 pairs. */
  @BeforeAll
  static void importStore() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int q = 1; q <= 4; q++) {
      lines.add("{\"user_id\": \"u1\", \"prompt\": \" Q" + q + "? \", \"chosen\": \"yes" + q + "\", \"rejected\": \"no"
          + q + "\"" + (q == 1 ? ", \"user_description\": \"Likes yes.\"" : "") + "}");
    }
    lines.add("{\"user_id\": \"u2\", \"prompt\": \"P1\", \"chosen\": \"a\", \"rejected\": \"b\"}");
    lines.add("{\"user_id\": \"u2\", \"prompt\": \"P2\", \"chosen\": \"c\", \"rejected\": \"d\"}");
    Path input = Files.writeString(dir.resolve("in.jsonl"), String.join("\n", lines) + "\n");
    store = dir.resolve("store");
    CliRun run = CliRun.of("import", "--master", "local[2]", "--input", input.toString(), "--out", store.toString(),
        "--test-fraction", "0");
    assertEquals(0, run.exitCode(), run.err());
  }

  private static CliRun render(String... more) {
    List<String> args = new ArrayList<>(List.of("render", "--master", "local[2]", "--episodes", store.toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static List<JsonNode> lines(CliRun run) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : run.outLines()) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  @Test
  void oneLinePerEpisodeWithShotsQueryAndRenderedText() throws IOException {
    CliRun run = render("--shots", "2", "--seed", "5");
    assertEquals(0, run.exitCode(), run.err());
    List<JsonNode> episodes = lines(run);
    assertEquals(6, episodes.size());
    assertEquals("rendered 6 of 6 episodes from 2 users (0 users and 0 episodes skipped, 2 shortened)",
        run.err().strip());
    Set<String> queries = new HashSet<>();
    for (JsonNode episode : episodes) {
      assertEquals(Set.of("user_id", "shots", "query", "rendered"), fieldNames(episode));
      String user = episode.get("user_id").asText();
      String query = episode.get("query").get("prompt").asText();
      assertTrue(queries.add(user + query));
      int shots = episode.get("shots").size();
      assertEquals(user.equals("u1") ? 2 : 1, shots);
      StringBuilder expected = new StringBuilder();
      for (int i = 0; i < shots; i++) {
        JsonNode shot = episode.get("shots").get(i);
        assertFalse(shot.get("prompt").asText().equals(query), "query among the shots");
        expected.append("# Example ").append(i + 1).append("\n## Question \n").append(shot.get("prompt").asText().strip())
            .append("\n## Preferred Response \n").append(shot.get("chosen").asText())
            .append("\n## Dispreferred Response \n").append(shot.get("rejected").asText()).append("\n\n");
      }
      expected.append("# Task\nGiven the examples above, generate a preferred response to the following question.\n")
          .append("## Question \n").append(query.strip()).append("\n");
      assertEquals(expected.toString(), episode.get("rendered").get("prompt").asText());
      assertEquals("## Preferred Response \n" + episode.get("query").get("chosen").asText() + "\n",
          episode.get("rendered").get("chosen").asText());
    }
    assertEquals(run.out(), render("--shots", "2", "--seed", "5").out());
  }

  @Test
  void limitVariantsAndDescriptionsFromTheUsersTable() throws IOException {
    CliRun run = render("--shots", "0", "--limit", "2", "--with-description", "--teacher-forced",
        "--no-dispreferred", "--split", "train");
    assertEquals(0, run.exitCode(), run.err());
    List<JsonNode> episodes = lines(run);
    assertEquals(2, episodes.size());
    JsonNode second = episodes.get(1);
    assertEquals("u1", second.get("user_id").asText());
    // 0 shots: the plain zero-shot task line in every variant, as shots_to_text writes it
    assertEquals("# Task\nGenerate a response to the following question.\n## Question \n" + second.get("query").get("prompt").asText().strip()
        + "\n## User Description\nLikes yes.\n", second.get("rendered").get("prompt").asText());
    assertEquals("## Response \n" + second.get("query").get("rejected").asText() + "\n",
        second.get("rendered").get("rejected").asText());
  }

  /** A model folder whose tokenizer_config.json holds {@code template} (eos_token <|im_end|>, as Qwen2.5's). */
  private static Path chatModel(String name, String template) throws IOException {
    Path model = Files.createDirectories(dir.resolve(name));
    var config = JSON.createObjectNode().put("eos_token", "<|im_end|>");
    if (template != null) config.put("chat_template", template);
    Files.writeString(model.resolve("tokenizer_config.json"), JSON.writeValueAsString(config));
    return model;
  }

  static String qwenTemplate() throws IOException {
    String file = "fspo-train/src/test/resources/chat-templates/Qwen-Qwen2.5-7B-Instruct.jinja";
    Path p = Files.exists(Path.of("../" + file)) ? Path.of("../" + file) : Path.of(file);
    return Files.readString(p);
  }

  @Test
  void chatTemplateShowsThePromptAsTheCheckpointsChatSeesIt() throws IOException {
    CliRun run = render("--shots", "0", "--limit", "1", "--chat-template",
        chatModel("qwen", qwenTemplate()).toString());
    assertEquals(0, run.exitCode(), run.err());
    JsonNode episode = lines(run).get(0);
    String question = episode.get("query").get("prompt").asText().strip();
    assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
        + "<|im_start|>user\n# Task\nGenerate a response to the following question.\n## Question \n" + question
        + "\n<|im_end|>\n<|im_start|>assistant\n", episode.get("rendered").get("prompt").asText());
    assertEquals("## Preferred Response \n" + episode.get("query").get("chosen").asText().strip() + "\n<|im_end|>",
        episode.get("rendered").get("chosen").asText());
  }

  @Test
  void aChatTemplateThatRaisesOrIsMissingIsOneLine() throws IOException {
    Path raising = chatModel("raising", "{{ raise_exception('System role not supported') }}");
    CliRun raised = render("--shots", "0", "--limit", "1", "--chat-template", raising.toString());
    assertEquals(FspoUserException.CONFIG, raised.exitCode());
    assertEquals(List.of("fspo render: " + raising.resolve("tokenizer_config.json") + ": the chat_template failed: "
        + "raise_exception(\"System role not supported\"); fix the template or set train.data.chat_template: none"),
        raised.errLines());
    Path plain = chatModel("plain", null);
    CliRun none = render("--shots", "0", "--chat-template", plain.toString());
    assertEquals(FspoUserException.CONFIG, none.exitCode());
    assertEquals(List.of("fspo render: " + plain.resolve("tokenizer_config.json") + " has no chat_template: the "
        + "checkpoint is not a chat model; set train.data.chat_template: none (the paper's raw prompt) or add its "
        + "chat_template"), none.errLines());
  }

  @Test
  void badOptionsAreOneLine() {
    CliRun teacher = render("--shots", "1", "--teacher-forced");
    assertEquals(FspoUserException.USAGE, teacher.exitCode());
    assertEquals(List.of("fspo render: --teacher-forced needs --with-description (it places the user description)"),
        teacher.errLines());
    CliRun split = render("--shots", "1", "--split", "dev");
    assertEquals(FspoUserException.USAGE, split.exitCode());
    assertEquals(List.of("fspo render: split must be 'train' or 'test', got 'dev'"), split.errLines());
    CliRun missing = CliRun.of("render", "--episodes", dir.resolve("none").toString(), "--shots", "1");
    assertEquals(FspoUserException.NO_INPUT, missing.exitCode());
    assertEquals(1, missing.errLines().size(), missing.err());
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
