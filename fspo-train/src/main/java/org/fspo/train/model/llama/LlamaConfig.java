package org.fspo.train.model.llama;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import org.fspo.core.FspoUserException;

/**
 * The config.json of the Llama family this project runs (transformers' configuration_llama.py, configuration_mistral.py
 * and configuration_qwen2.py): one architecture, three model_types. Absent keys take HF's defaults for the type.
 *
 * <ul>
 *   <li>{@code llama} (Llama 2/3.x, SmolLM2): {@code attention_bias} puts biases on q, k, v and o_proj,
 *       {@code mlp_bias} on gate, up and down_proj;
 *   <li>{@code qwen2} (Qwen2, Qwen2.5): biases on q_proj, k_proj and v_proj, always, and nowhere else;
 *   <li>{@code mistral}: no biases. Mistral and Qwen2 ignore attention_bias and mlp_bias, as HF does.
 * </ul>
 *
 * RoPE and its scaling are a {@link RopeConfig} (both config layouts). Sliding-window attention is not implemented,
 * so {@link #fromJson} accepts the Mistral/Qwen2 window keys only when the window cannot matter (see
 * {@link SlidingWindow}).
 *
 * @param modelType             model_type: llama (default), mistral or qwen2
 * @param vocabSize             vocab_size, V
 * @param hiddenSize            hidden_size, C
 * @param intermediateSize      intermediate_size, I, the MLP width
 * @param numHiddenLayers       num_hidden_layers
 * @param numAttentionHeads     num_attention_heads, nh
 * @param numKeyValueHeads      num_key_value_heads, nkv (null: nh); nh must be a multiple
 * @param headDim               head_dim, hs (null: C / nh); may differ from C / nh
 * @param maxPositionEmbeddings max_position_embeddings (2048)
 * @param rmsNormEps            rms_norm_eps (1e-6)
 * @param rope                  rope_theta and rope_scaling / rope_parameters (default RoPE, theta 10000)
 * @param hiddenAct             hidden_act: only silu is supported
 * @param initializerRange      initializer_range, std of the normal init (0.02)
 * @param tieWordEmbeddings     tie_word_embeddings (false): when true the LM head is model.embed_tokens.weight
 * @param attentionBias         attention_bias (llama only; false)
 * @param mlpBias               mlp_bias (llama only; false)
 * @param bosTokenId            bos_token_id (llama, mistral: 1; qwen2: none; may be null)
 * @param eosTokenIds           eos_token_id, one id or a list (Llama 3 Instruct lists three; llama, mistral: 2;
 *                              qwen2: none): generation stops at any of them
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LlamaConfig(
    @JsonProperty("model_type") String modelType,
    @JsonProperty("vocab_size") int vocabSize,
    @JsonProperty("hidden_size") int hiddenSize,
    @JsonProperty("intermediate_size") int intermediateSize,
    @JsonProperty("num_hidden_layers") int numHiddenLayers,
    @JsonProperty("num_attention_heads") int numAttentionHeads,
    @JsonProperty("num_key_value_heads") Integer numKeyValueHeads,
    @JsonProperty("head_dim") Integer headDim,
    @JsonProperty("max_position_embeddings") Integer maxPositionEmbeddings,
    @JsonProperty("rms_norm_eps") Double rmsNormEps,
    @JsonProperty("rope_parameters") RopeConfig rope,
    @JsonProperty("hidden_act") String hiddenAct,
    @JsonProperty("initializer_range") Double initializerRange,
    @JsonProperty("tie_word_embeddings") Boolean tieWordEmbeddings,
    @JsonProperty("attention_bias") Boolean attentionBias,
    @JsonProperty("mlp_bias") Boolean mlpBias,
    @JsonProperty("bos_token_id") Integer bosTokenId,
    @JsonProperty("eos_token_id")
    @JsonFormat(with = {JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
        JsonFormat.Feature.WRITE_SINGLE_ELEM_ARRAYS_UNWRAPPED})
    List<Integer> eosTokenIds) {

  /** The model_types read as this architecture, with their HF class names. */
  public static final List<String> MODEL_TYPES = List.of("llama", "mistral", "qwen2");

  private static final ObjectMapper JSON = new ObjectMapper();

  public LlamaConfig {
    if (modelType == null) modelType = "llama";
    require(MODEL_TYPES.contains(modelType), "model_type " + modelType + " is not one of " + MODEL_TYPES);
    if (numKeyValueHeads == null) numKeyValueHeads = numAttentionHeads;
    if (headDim == null && numAttentionHeads > 0) headDim = hiddenSize / numAttentionHeads;
    if (maxPositionEmbeddings == null) maxPositionEmbeddings = 2048;
    if (rmsNormEps == null) rmsNormEps = 1e-6;
    if (rope == null) rope = RopeConfig.standard(10000.0);
    if (hiddenAct == null) hiddenAct = "silu";
    if (initializerRange == null) initializerRange = 0.02;
    if (tieWordEmbeddings == null) tieWordEmbeddings = false;
    boolean llama = modelType.equals("llama"); // HF's Mistral and Qwen2 have no bias switches
    attentionBias = llama && Boolean.TRUE.equals(attentionBias);
    mlpBias = llama && Boolean.TRUE.equals(mlpBias);
    eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
    require(vocabSize > 0 && hiddenSize > 0 && intermediateSize > 0 && numHiddenLayers > 0,
        "vocab_size, hidden_size, intermediate_size and num_hidden_layers must be positive");
    require(numAttentionHeads > 0 && numKeyValueHeads > 0 && numAttentionHeads % numKeyValueHeads == 0,
        "num_attention_heads must be a positive multiple of num_key_value_heads");
    require(headDim > 0 && headDim % 2 == 0, "head_dim must be even for RoPE");
    require(maxPositionEmbeddings > 0, "max_position_embeddings must be positive");
    require(hiddenAct.equals("silu"), "hidden_act " + hiddenAct + " is not supported; use silu");
  }

  /**
   * The former shape-only constructor (model_type llama, default RoPE with base {@code ropeTheta}, one eos id), kept
   * for callers that build a from-scratch config.
   */
  public LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
      Integer numKeyValueHeads, Integer headDim, Integer maxPositionEmbeddings, Double rmsNormEps, Double ropeTheta,
      String hiddenAct, Double initializerRange, Boolean tieWordEmbeddings, Boolean attentionBias, Boolean mlpBias,
      Integer bosTokenId, Integer eosTokenId) {
    this("llama", vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads,
        headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta == null ? null : RopeConfig.standard(ropeTheta),
        hiddenAct, initializerRange, tieWordEmbeddings, attentionBias, mlpBias, bosTokenId == null ? 1 : bosTokenId,
        List.of(eosTokenId == null ? 2 : eosTokenId));
  }

  /** A from-scratch shape with HF's other defaults. */
  public static LlamaConfig of(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads,
      int maxPositions) {
    return new LlamaConfig(vocab, hidden, intermediate, layers, heads, kvHeads, null, maxPositions, null, null, null,
        null, null, null, null, null, null);
  }

  /**
   * Reads a config.json tree of model_type llama, mistral or qwen2: the type's defaults for absent keys, RoPE from
   * either layout ({@link RopeConfig#fromJson}), the sliding-window keys checked ({@link SlidingWindow#check}).
   */
  public static LlamaConfig fromJson(JsonNode config) throws IOException {
    ObjectNode n = config.deepCopy();
    String type = n.path("model_type").asText("llama");
    require(MODEL_TYPES.contains(type), "model_type " + type + " is not one of " + MODEL_TYPES);
    // HF defaults that differ by type (LlamaConfig / MistralConfig / Qwen2Config __init__)
    if (!n.hasNonNull("max_position_embeddings")) {
      n.put("max_position_embeddings", switch (type) {
        case "mistral" -> 4096 * 32;
        case "qwen2" -> 32768;
        default -> 2048;
      });
    }
    if (!type.equals("qwen2") && !n.has("bos_token_id")) n.put("bos_token_id", 1); // Qwen2Config: None
    if (!type.equals("qwen2") && !n.has("eos_token_id")) n.put("eos_token_id", 2);
    SlidingWindow.check(type, n);
    n.set("rope_parameters", JSON.valueToTree(RopeConfig.fromJson(config, 10000.0)));
    try {
      return JSON.treeToValue(n, LlamaConfig.class);
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof FspoUserException u) throw u; // our one-line message, not Jackson's wrapper
      throw e;
    }
  }

  /** config.json content for transformers 4.x and 5.x alike (RoPE in both layouts). */
  public ObjectNode toJson() {
    ObjectNode n = JSON.valueToTree(this);
    n.putArray("architectures").add(switch (modelType) {
      case "mistral" -> "MistralForCausalLM";
      case "qwen2" -> "Qwen2ForCausalLM";
      default -> "LlamaForCausalLM";
    });
    rope.writeTo(n, JSON);
    if (!modelType.equals("llama")) n.putNull("sliding_window"); // Mistral's default is 4096: say "none"
    if (modelType.equals("qwen2")) n.put("use_sliding_window", false);
    n.put("attention_dropout", 0.0);
    return n;
  }

  public int kvGroups() {
    return numAttentionHeads / numKeyValueHeads;
  }

  /** Biases on q_proj, k_proj and v_proj: always for qwen2, with attention_bias for llama. */
  public boolean qkvBias() {
    return attentionBias || modelType.equals("qwen2");
  }

  /** Bias on o_proj: llama's attention_bias. */
  public boolean oBias() {
    return attentionBias;
  }

  static void require(boolean ok, String message) {
    if (!ok) throw new FspoUserException("llama config.json: " + message, FspoUserException.CONFIG);
  }
}
