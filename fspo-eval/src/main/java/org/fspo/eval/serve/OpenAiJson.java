package org.fspo.eval.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Response bodies in OpenAI's shapes (API reference: chat.completion, chat.completion.chunk, text_completion, model
 * list). One response (or chunk stream) has one id and one created time. One field is this server's own: a choice of
 * a model that writes a user description first (fspo_cot) carries it as {@code fspo_user_description}, in the
 * response and in the choice's last streamed chunk (the one with its finish_reason); clients that do not know it
 * ignore it.
 */
final class OpenAiJson {
  private final ObjectMapper json;
  private final boolean chat;
  private final String id;
  private final long created;
  private final String model;
  private final String fingerprint;

  OpenAiJson(ObjectMapper json, boolean chat, String id, long created, String model, String fingerprint) {
    this.json = json;
    this.chat = chat;
    this.id = id;
    this.created = created;
    this.model = model;
    this.fingerprint = fingerprint;
  }

  /** The whole response: one choice per result, and usage. */
  ObjectNode response(List<ChoiceText.Result> results, int promptTokens) {
    ObjectNode root = head(chat ? "chat.completion" : "text_completion");
    ArrayNode choices = root.putArray("choices");
    int completion = 0;
    for (int i = 0; i < results.size(); i++) {
      ChoiceText.Result r = results.get(i);
      completion += r.completionTokens();
      ObjectNode c = choices.addObject();
      c.put("index", i);
      if (chat) {
        ObjectNode m = c.putObject("message");
        m.put("role", "assistant");
        m.put("content", r.text());
        m.putNull("refusal");
      } else {
        c.put("text", r.text());
      }
      c.putNull("logprobs");
      c.put("finish_reason", r.finishReason().wire());
      if (r.description() != null) c.put(DESCRIPTION, r.description());
    }
    root.set("usage", usage(promptTokens, completion));
    return root;
  }

  /** The choice field of the user description a fspo_cot model wrote. */
  static final String DESCRIPTION = "fspo_user_description";

  /** Choice i's last chunk: its finish_reason, and the description its model wrote, if any. */
  ObjectNode last(int index, ChoiceText.Result done) {
    ObjectNode root = chunk(index, null, null, done.finishReason().wire());
    if (done.description() != null) ((ObjectNode) root.get("choices").get(0)).put(DESCRIPTION, done.description());
    return root;
  }

  /** A streamed piece of choice i: the assistant role first (chat), then text; finish ends the choice. */
  ObjectNode chunk(int index, String role, String text, String finishReason) {
    ObjectNode root = head(chat ? "chat.completion.chunk" : "text_completion");
    ObjectNode c = root.putArray("choices").addObject();
    c.put("index", index);
    if (chat) {
      ObjectNode delta = c.putObject("delta");
      if (role != null) delta.put("role", role);
      if (text != null) delta.put("content", text);
    } else {
      c.put("text", text == null ? "" : text);
    }
    c.putNull("logprobs");
    if (finishReason == null) {
      c.putNull("finish_reason");
    } else {
      c.put("finish_reason", finishReason);
    }
    return root;
  }

  /** stream_options.include_usage's last chunk: no choices, the usage of the whole request. */
  ObjectNode usageChunk(int promptTokens, int completionTokens) {
    ObjectNode root = head(chat ? "chat.completion.chunk" : "text_completion");
    root.putArray("choices");
    root.set("usage", usage(promptTokens, completionTokens));
    return root;
  }

  private ObjectNode head(String object) {
    ObjectNode root = json.createObjectNode();
    root.put("id", id);
    root.put("object", object);
    root.put("created", created);
    root.put("model", model);
    root.put("system_fingerprint", fingerprint);
    return root;
  }

  private ObjectNode usage(int prompt, int completion) {
    ObjectNode u = json.createObjectNode();
    u.put("prompt_tokens", prompt);
    u.put("completion_tokens", completion);
    u.put("total_tokens", prompt + completion);
    return u;
  }

  static ObjectNode models(ObjectMapper json, String model, long created) {
    ObjectNode root = json.createObjectNode();
    root.put("object", "list");
    ObjectNode m = root.putArray("data").addObject();
    m.put("id", model);
    m.put("object", "model");
    m.put("created", created);
    m.put("owned_by", "fspo");
    return root;
  }
}
