package org.fspo.train.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java renderer against jinja2 itself: every rendering in chat-templates/references.json (written by
 * scripts/chat_template_refs.py with transformers' settings) must come out of {@link ChatTemplate} character for
 * character, for the published Llama 3.2 and Qwen2.5 Instruct templates and a probe of the jinja2 features they use.
 */
class ChatTemplateTest {
  static final Path DIR = resources();
  static final ObjectMapper JSON = new ObjectMapper();

  static Path resources() {
    Path p = Path.of("src/test/resources/chat-templates");
    return Files.isDirectory(p) ? p : Path.of("fspo-train/src/test/resources/chat-templates");
  }

  static String template(String name) {
    try {
      return Files.readString(DIR.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Stream<Arguments> references() throws IOException {
    JsonNode root = JSON.readTree(DIR.resolve("references.json").toFile());
    List<Arguments> out = new ArrayList<>();
    for (JsonNode r : root.path("renderings")) out.add(Arguments.of(r.path("template").asText() + ": "
        + r.path("case").asText(), r));
    assertTrue(out.size() >= 24, "references.json holds every case");
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("references")
  void rendersExactlyAsJinja2(String name, JsonNode r) {
    List<ChatTemplate.Message> messages = new ArrayList<>();
    for (JsonNode m : r.path("messages")) {
      messages.add(new ChatTemplate.Message(m.path("role").asText(), m.path("content").asText()));
    }
    String file = r.path("template").asText();
    ChatTemplate t = new ChatTemplate(template(file), r.path("bos_token").asText(null),
        r.path("eos_token").asText(null), file);
    boolean generation = r.path("add_generation_prompt").asBoolean();
    if (r.has("expected")) {
      assertEquals(r.path("expected").asText(), t.render(messages, generation));
    } else {
      FspoUserException e = assertThrows(FspoUserException.class, () -> t.render(messages, generation));
      assertEquals(file + ": the chat_template failed: raise_exception(\"" + r.path("error").asText()
          + "\"); fix the template or set train.data.chat_template: none", e.getMessage());
    }
  }

  @Test
  void theEndOfTurnComesFromTheTemplate() {
    ChatTemplate llama = new ChatTemplate(template("meta-llama-Llama-3.2-3B-Instruct.jinja"), "<|begin_of_text|>",
        "<|end_of_text|>", "llama"); // eos_token as Llama 3 8B Instruct first shipped it: not the turn's end
    assertEquals("<|eot_id|>", llama.endOfTurn());
    ChatTemplate qwen = new ChatTemplate(template("Qwen-Qwen2.5-7B-Instruct.jinja"), null, "<|endoftext|>", "qwen");
    assertEquals("<|im_end|>", qwen.endOfTurn()); // the turn closes with "<|im_end|>\n"; the newline is not the reply
    // a template that refuses an assistant-final conversation leaves eos_token as the end of a reply
    assertEquals("</s>", new ChatTemplate(template("raises.jinja"), "<s>", "</s>", "raises").endOfTurn());
  }

  @Test
  void aPromptIsOneUserMessageWithTheGenerationPrompt() {
    ChatTemplate qwen = new ChatTemplate(template("Qwen-Qwen2.5-7B-Instruct.jinja"), null, "<|im_end|>", "qwen");
    assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
        + "<|im_start|>user\n# Task\nQ\n<|im_end|>\n<|im_start|>assistant\n", qwen.prompt("# Task\nQ\n"));
  }

  static Path configDir(Path tmp, ObjectNode config) throws IOException {
    Files.writeString(tmp.resolve(ChatTemplate.CONFIG_FILE), JSON.writerWithDefaultPrettyPrinter()
        .writeValueAsString(config));
    return tmp;
  }

  @Test
  void loadsTheTemplateAndTokensFromTokenizerConfig(@TempDir Path tmp) throws IOException {
    ObjectNode config = JSON.createObjectNode();
    config.put("chat_template", template("meta-llama-Llama-3.2-3B-Instruct.jinja"));
    config.putObject("bos_token").put("content", "<|begin_of_text|>"); // the AddedToken form
    config.put("eos_token", "<|eot_id|>");
    ChatTemplate t = ChatTemplate.load(configDir(tmp, config));
    assertTrue(t.prompt("hi").startsWith("<|begin_of_text|><|start_header_id|>system"), t.prompt("hi"));
    assertEquals("<|eot_id|>", t.endOfTurn());
    assertEquals(tmp.resolve(ChatTemplate.CONFIG_FILE).toString(), t.source());
  }

  @Test
  void aListOfNamedTemplatesUsesTheDefaultOne(@TempDir Path tmp) throws IOException {
    ObjectNode config = JSON.createObjectNode();
    var list = config.putArray("chat_template");
    list.addObject().put("name", "tool_use").put("template", "TOOLS");
    list.addObject().put("name", "default").put("template", "{{ messages[0].content }}!");
    assertEquals("hi!", ChatTemplate.load(configDir(tmp, config)).prompt("hi"));
  }

  @Test
  void aSeparateChatTemplateJinjaIsReadAndKept(@TempDir Path tmp) throws IOException {
    Path model = Files.createDirectories(tmp.resolve("model")), run = Files.createDirectories(tmp.resolve("run"));
    configDir(model, JSON.createObjectNode().put("eos_token", "<|im_end|>"));
    Files.writeString(model.resolve("chat_template.jinja"), template("Qwen-Qwen2.5-7B-Instruct.jinja"));
    ChatTemplate t = ChatTemplate.load(model);
    assertEquals(model.resolve("chat_template.jinja").toString(), t.source());
    assertEquals("<|im_end|>", t.endOfTurn());
    t.keepIn(run);
    assertEquals(t.prompt("hi"), ChatTemplate.load(run).prompt("hi"));
  }

  @Test
  void aLongPromptRendersWhole() {
    String longPrompt = "# Example 1\n" + "word ".repeat(40_000) + "\n";
    ChatTemplate qwen = new ChatTemplate(template("Qwen-Qwen2.5-7B-Instruct.jinja"), null, "<|im_end|>", "qwen");
    assertTrue(qwen.prompt(longPrompt).contains("<|im_start|>user\n" + longPrompt + "<|im_end|>\n"));
  }

  @Test
  void raiseExceptionIsOneLineNamingTheTokenizerConfig(@TempDir Path tmp) throws IOException {
    ObjectNode config = JSON.createObjectNode();
    config.put("chat_template", "{{ raise_exception('Only user and assistant roles are supported!') }}");
    Path dir = configDir(tmp, config);
    FspoUserException e = assertThrows(FspoUserException.class, () -> ChatTemplate.load(dir).prompt("hi"));
    assertEquals(dir.resolve("tokenizer_config.json") + ": the chat_template failed: raise_exception(\"Only user "
        + "and assistant roles are supported!\"); fix the template or set train.data.chat_template: none",
        e.getMessage());
    assertEquals(FspoUserException.CONFIG, e.exitCode());
  }

  @Test
  void noChatTemplateOrNoFileIsAOneLineError(@TempDir Path tmp) throws IOException {
    ObjectNode config = JSON.createObjectNode();
    config.put("eos_token", "</s>");
    Path dir = configDir(tmp, config);
    FspoUserException none = assertThrows(FspoUserException.class, () -> ChatTemplate.load(dir));
    assertEquals(dir.resolve("tokenizer_config.json") + " has no chat_template: the checkpoint is not a chat model; "
        + "set train.data.chat_template: none (the paper's raw prompt) or add its chat_template", none.getMessage());
    FspoUserException missing = assertThrows(FspoUserException.class,
        () -> ChatTemplate.load(tmp.resolve("nowhere")));
    assertTrue(missing.getMessage().startsWith(tmp.resolve("nowhere").resolve("tokenizer_config.json")
        + " is missing"), missing.getMessage());
    assertFalse(missing.getMessage().contains("\n"));
    assertEquals(FspoUserException.NO_INPUT, missing.exitCode());
  }

  @Test
  void aSyntaxErrorIsOneLine(@TempDir Path tmp) throws IOException {
    ObjectNode config = JSON.createObjectNode();
    config.put("chat_template", "{% for m in messages %}{{ m.content }}\n{% endif %}");
    Path dir = configDir(tmp, config);
    FspoUserException e = assertThrows(FspoUserException.class, () -> ChatTemplate.load(dir).prompt("hi"));
    assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer_config.json") + ": the chat_template failed: "),
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void keepInCopiesTheConfigIntoARunFolder(@TempDir Path tmp) throws IOException {
    ObjectNode config = JSON.createObjectNode();
    config.put("chat_template", "[{{ messages[0].content }}]");
    Path model = Files.createDirectories(tmp.resolve("model")), run = Files.createDirectories(tmp.resolve("run"));
    ChatTemplate.load(configDir(model, config)).keepIn(run);
    assertEquals(Files.readString(model.resolve("tokenizer_config.json")),
        Files.readString(run.resolve("tokenizer_config.json")));
    assertEquals("[hi]", ChatTemplate.load(run).prompt("hi"));
  }
}
