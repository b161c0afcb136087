package org.fspo.train.model.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * The sliding-window keys of Mistral and Qwen2 config.json. This project computes full causal attention, which
 * equals sliding-window attention (HF: key j visible to query i when i - j < sliding_window) exactly when no sequence
 * is longer than the window. So a config is accepted when its window is off or at least max_position_embeddings, the longest
 * sequence the model is ever given; otherwise a one-line error names the key and the fix.
 *
 * <ul>
 *   <li>mistral: {@code sliding_window} (absent: 4096, MistralConfig's default; null: off) applies to every layer;
 *   <li>qwen2: the window is used only with {@code use_sliding_window} true (default false), and then only by layers
 *       at or above {@code max_window_layers} (Qwen2Config); transformers 5 may list {@code layer_types} instead.
 * </ul>
 */
final class SlidingWindow {
  private SlidingWindow() {}

  /** Throws a one-line config error when a sliding window shorter than max_position_embeddings is active. */
  static void check(String modelType, JsonNode c) {
    int maxPos = c.path("max_position_embeddings").asInt();
    int layers = c.path("num_hidden_layers").asInt();
    JsonNode window = c.has("sliding_window") ? c.get("sliding_window")
        : modelType.equals("mistral") ? IntNode.valueOf(4096) : NullNode.getInstance();
    if (window.isNull() || !window.isNumber()) return; // null: no window anywhere
    String key = "sliding_window";
    boolean active = modelType.equals("mistral");
    if (modelType.equals("qwen2")) {
      key = "use_sliding_window";
      int from = c.path("max_window_layers").asInt(28);
      active = c.path("use_sliding_window").asBoolean(false) && from < layers;
    }
    for (JsonNode t : c.path("layer_types")) {
      if (t.asText().equals("sliding_attention")) {
        active = true;
        key = "layer_types";
      }
    }
    if (active && window.asLong() < maxPos) {
      LlamaConfig.require(false, key + ": sliding-window attention (sliding_window " + window.asLong()
          + " < max_position_embeddings " + maxPos + ") is not supported; set " + key + " to "
          + (key.equals("sliding_window") ? "null" : key.equals("layer_types") ? "all full_attention" : "false")
          + ", or max_position_embeddings to at most " + window.asLong() + " (your training max_seq_len or less)");
    }
  }
}
