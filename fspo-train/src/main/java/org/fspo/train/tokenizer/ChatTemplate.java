package org.fspo.train.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.core.prompt.ChatFormat;

/**
 * A checkpoint's own {@code chat_template} (from its tokenizer_config.json), rendered as transformers'
 * {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...)} does, by HubSpot Jinjava configured
 * like transformers' jinja2 environment (chat_template_utils.py): trim_blocks and lstrip_blocks on, a
 * {@code raise_exception(message)} function, transformers' {@code tojson} ({@link PyJson}), {@code strftime_now}
 * ({@link PyStrftime}, a fixed date), and the variables {@code messages}, {@code add_generation_prompt},
 * {@code bos_token}, {@code eos_token} (undefined when the config has none), {@code tools} and {@code documents}
 * (none). ChatTemplateTest checks the output against jinja2's own (scripts/chat_template_refs.py) for the Llama 3.2
 * and Qwen2.5 Instruct templates and a probe of the features they use.
 *
 * <p>Known Jinjava differences from jinja2, none of which the user/assistant turns rendered here reach:
 * {@code not 'x' in y} parses as {@code (not 'x') in y} (write {@code 'x' not in y}); a string is not
 * {@code iterable} (Llama 3.x's tool-result branch would print it without tojson's quotes).
 *
 * <p>As a {@link ChatFormat} the few-shot prompt is the single user message, with the generation prompt added; the
 * reply ends with {@link #endOfTurn()}. The end of turn is taken from the template itself: render a user turn and an
 * assistant turn with a marker reply, and keep what the template writes after the marker, trailing whitespace
 * dropped ({@code <|eot_id|>} for Llama 3.x, {@code <|im_end|>} for Qwen2.5, whose turns end "<|im_end|>\n"). That is
 * the text the model learned to write when its reply is over; tokenizer_config.json's {@code eos_token} is not always
 * it (Llama 3 8B Instruct was published with eos_token {@code <|end_of_text|>} while its turns end with
 * {@code <|eot_id|>}), so eos_token is used only when the template writes nothing after a reply.
 *
 * <p>The rendered text already holds the template's special tokens (Llama 3's starts with {@code bos_token}); it is
 * tokenized without adding special tokens again ({@link TextTokenizer#encode}).
 */
public final class ChatTemplate implements ChatFormat {
  public static final String CONFIG_FILE = "tokenizer_config.json";
  /** Where transformers 4.50+ saves the template instead of tokenizer_config.json's chat_template. */
  public static final String SEPARATE_FILE = "chat_template.jinja";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MARKER = "FSPO_REPLY_MARKER";

  /** One chat message as transformers takes it: {"role": ..., "content": ...}. */
  public record Message(String role, String content) {
    public Message {
      if (role == null || content == null) throw new IllegalArgumentException("a message needs a role and content");
    }
  }

  private final String template;
  private final String bosToken;
  private final String eosToken;
  private final String source;
  private final Jinjava jinjava;
  private String endOfTurn; // derived on first use: rendering alone never needs it

  /**
   * @param template the Jinja source
   * @param bosToken the bos_token text, or null when the tokenizer has none
   * @param eosToken the eos_token text, or null
   * @param source   where the template came from, named in every error (e.g. the tokenizer_config.json path)
   */
  public ChatTemplate(String template, String bosToken, String eosToken, String source) {
    // jinja2's lexer drops one newline at the end of the source (keep_trailing_newline=False); Jinjava keeps it
    this.template = template.endsWith("\r\n") ? template.substring(0, template.length() - 2)
        : template.endsWith("\n") ? template.substring(0, template.length() - 1) : template;
    this.bosToken = bosToken;
    this.eosToken = eosToken;
    this.source = source;
    // jinja2 strips whitespace at "{{-" and "{#-" as at "{%-"; Jinjava does so only with this override (without
    // it, every published template above renders with stray newlines and indentation).
    JinjavaConfig config = JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
        .withLegacyOverrides(LegacyOverrides.newBuilder().withUseTrimmingForNotesAndExpressions(true).build())
        .build();
    this.jinjava = new Jinjava(config);
    jinjava.getGlobalContext().registerFunction(
        new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    jinjava.getGlobalContext().registerFunction(
        new ELFunctionDefinition("", "strftime_now", PyStrftime.class, "now", String.class));
    jinjava.getGlobalContext().registerFilter(new PyJson());
  }

  /**
   * Reads {@code dir/tokenizer_config.json}: its {@code chat_template} (a string, or a list of named templates of
   * which "default" is used, as transformers does; else {@code dir/chat_template.jinja}, as newer transformers
   * save it), {@code bos_token} and {@code eos_token} (a string or an AddedToken object with "content").
   */
  public static ChatTemplate load(Path dir) {
    Path file = dir.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(file)) {
      throw new FspoUserException(file + " is missing: train.data.chat_template auto needs the checkpoint's "
          + CONFIG_FILE + " (save it with tokenizer.save_pretrained), or set train.data.chat_template: none",
          FspoUserException.NO_INPUT);
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new FspoUserException(file + ": not valid JSON (" + oneLine(e.getMessage()) + ")",
          FspoUserException.CONFIG);
    }
    String template = templateText(root.path("chat_template"));
    String source = file.toString();
    Path separate = dir.resolve(SEPARATE_FILE);
    if (template == null && Files.isRegularFile(separate)) {
      try {
        template = Files.readString(separate);
        source = separate.toString();
      } catch (IOException e) {
        throw new FspoUserException(separate + ": cannot read (" + oneLine(e.getMessage()) + ")",
            FspoUserException.NO_INPUT);
      }
    }
    if (template == null) {
      throw new FspoUserException(file + " has no chat_template: the checkpoint is not a chat model; set "
          + "train.data.chat_template: none (the paper's raw prompt) or add its chat_template",
          FspoUserException.CONFIG);
    }
    return new ChatTemplate(template, tokenText(root.path("bos_token")), tokenText(root.path("eos_token")), source);
  }

  private static String templateText(JsonNode node) {
    if (node.isTextual()) return node.asText();
    if (node.isArray()) {
      for (JsonNode named : node) {
        if ("default".equals(named.path("name").asText())) return named.path("template").asText(null);
      }
    }
    return null;
  }

  private static String tokenText(JsonNode node) {
    if (node.isTextual()) return node.asText();
    if (node.isObject() && node.path("content").isTextual()) return node.path("content").asText();
    return null;
  }

  /** apply_chat_template(messages, tokenize=False, add_generation_prompt=addGenerationPrompt). */
  public String render(List<Message> messages, boolean addGenerationPrompt) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (Message m : messages) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", m.role());
      map.put("content", m.content());
      list.add(map);
    }
    Map<String, Object> vars = new HashMap<>();
    vars.put("messages", list);
    vars.put("add_generation_prompt", addGenerationPrompt);
    vars.put("tools", null);
    vars.put("documents", null);
    if (bosToken != null) vars.put("bos_token", bosToken);
    if (eosToken != null) vars.put("eos_token", eosToken);
    RenderResult result = jinjava.renderForResult(template, vars);
    for (TemplateError e : result.getErrors()) {
      if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
        throw new FspoUserException(source + ": the chat_template failed: " + reason(e)
            + "; fix the template or set train.data.chat_template: none", FspoUserException.CONFIG);
      }
    }
    return result.getOutput();
  }

  /** The few-shot prompt as the only user message, generation prompt added. */
  @Override
  public String prompt(String userMessage) {
    return render(List.of(new Message("user", userMessage)), true);
  }

  @Override
  public String endOfTurn() {
    if (endOfTurn == null) endOfTurn = deriveEndOfTurn();
    return endOfTurn;
  }

  public String source() {
    return source;
  }

  /**
   * Copies the tokenizer_config.json (and chat_template.jinja) this template was loaded from into {@code dir} (a run
   * folder), so scoring and sampling later render exactly as training did. Nothing to do when it is already there
   * or came from no file.
   */
  public void keepIn(Path dir) {
    Path from = Path.of(source);
    if (!Files.isRegularFile(from)) return;
    if (from.getFileName().toString().equals(SEPARATE_FILE)) {
      copy(from.resolveSibling(CONFIG_FILE), dir.resolve(CONFIG_FILE));
      copy(from, dir.resolve(SEPARATE_FILE));
    } else {
      copy(from, dir.resolve(CONFIG_FILE));
    }
  }

  private static void copy(Path from, Path to) {
    try {
      if (Files.exists(to) && Files.isSameFile(from, to)) return;
      Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
      Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new FspoUserException(to + ": cannot write the chat template (" + oneLine(e.getMessage()) + ")",
          FspoUserException.CANT_CREATE);
    }
  }

  @Override
  public String toString() {
    return "auto (" + source + ")";
  }

  private String deriveEndOfTurn() {
    String after = "";
    try {
      String turn = render(List.of(new Message("user", "Q"), new Message("assistant", MARKER)), false);
      int at = turn.lastIndexOf(MARKER);
      after = at < 0 ? "" : turn.substring(at + MARKER.length()).stripTrailing();
    } catch (FspoUserException refused) {
      // a template may refuse a conversation that ends with the assistant (raise_exception): use eos_token
    }
    if (!after.isEmpty()) return after;
    if (eosToken != null && !eosToken.isEmpty()) return eosToken;
    throw new FspoUserException(source + ": the chat_template writes nothing after an assistant reply and there is "
        + "no eos_token, so a reply's end cannot be marked; add eos_token or use train.data.chat_template: none",
        FspoUserException.CONFIG);
  }

  /** The template's {@code raise_exception(message)}: jinja2 raises TemplateError(message). */
  public static String raiseException(String message) {
    throw new TemplateRaised(message);
  }

  private static String reason(TemplateError e) {
    for (Throwable t = e.getException(); t != null; t = t.getCause()) {
      if (t instanceof TemplateRaised r) return "raise_exception(\"" + oneLine(r.getMessage()) + "\")";
    }
    return oneLine(e.getMessage()) + (e.getLineno() > 0 ? " (line " + e.getLineno() + ")" : "");
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  /** Carries raise_exception's message through Jinjava's error list. */
  static final class TemplateRaised extends RuntimeException {
    TemplateRaised(String message) {
      super(message);
    }
  }
}
