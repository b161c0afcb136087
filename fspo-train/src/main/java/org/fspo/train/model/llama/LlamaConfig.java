package org.fspo.train.model.llama;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.fspo.core.FspoUserException;

/**
 * Hugging Face LlamaConfig, the keys this project reads (transformers' configuration_llama.py; absent keys take HF's
 * defaults). transformers 5 nests rope_theta in rope_parameters, 4.x keeps it top-level: {@link #fromJson} reads
 * either, and {@link #toJson} writes both. Only the default RoPE (no rope scaling) is supported.
 *
 * @param vocabSize              vocab_size, V
 * @param hiddenSize             hidden_size, C
 * @param intermediateSize       intermediate_size, I, the MLP width
 * @param numHiddenLayers        num_hidden_layers
 * @param numAttentionHeads      num_attention_heads, nh
 * @param numKeyValueHeads       num_key_value_heads, nkv (null: nh); nh must be a multiple
 * @param headDim                head_dim, hs (null: C / nh)
 * @param maxPositionEmbeddings  max_position_embeddings (2048)
 * @param rmsNormEps             rms_norm_eps (1e-6)
 * @param ropeTheta              rope_theta, RoPE's base (10000)
 * @param hiddenAct              hidden_act: only silu is supported
 * @param initializerRange       initializer_range, std of the normal init (0.02)
 * @param tieWordEmbeddings      tie_word_embeddings (false): when true the LM head is model.embed_tokens.weight
 * @param attentionBias          attention_bias: must be false
 * @param mlpBias                mlp_bias: must be false
 * @param bosTokenId             bos_token_id (1)
 * @param eosTokenId             eos_token_id (2)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LlamaConfig(
    @JsonProperty("vocab_size") int vocabSize,
    @JsonProperty("hidden_size") int hiddenSize,
    @JsonProperty("intermediate_size") int intermediateSize,
    @JsonProperty("num_hidden_layers") int numHiddenLayers,
    @JsonProperty("num_attention_heads") int numAttentionHeads,
    @JsonProperty("num_key_value_heads") Integer numKeyValueHeads,
    @JsonProperty("head_dim") Integer headDim,
    @JsonProperty("max_position_embeddings") Integer maxPositionEmbeddings,
    @JsonProperty("rms_norm_eps") Double rmsNormEps,
    @JsonProperty("rope_theta") Double ropeTheta,
    @JsonProperty("hidden_act") String hiddenAct,
    @JsonProperty("initializer_range") Double initializerRange,
    @JsonProperty("tie_word_embeddings") Boolean tieWordEmbeddings,
    @JsonProperty("attention_bias") Boolean attentionBias,
    @JsonProperty("mlp_bias") Boolean mlpBias,
    @JsonProperty("bos_token_id") Integer bosTokenId,
    @JsonProperty("eos_token_id") Integer eosTokenId) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public LlamaConfig {
    if (numKeyValueHeads == null) numKeyValueHeads = numAttentionHeads;
    if (headDim == null && numAttentionHeads > 0) headDim = hiddenSize / numAttentionHeads;
    if (maxPositionEmbeddings == null) maxPositionEmbeddings = 2048;
    if (rmsNormEps == null) rmsNormEps = 1e-6;
    if (ropeTheta == null) ropeTheta = 10000.0;
    if (hiddenAct == null) hiddenAct = "silu";
    if (initializerRange == null) initializerRange = 0.02;
    if (tieWordEmbeddings == null) tieWordEmbeddings = false;
    if (attentionBias == null) attentionBias = false;
    if (mlpBias == null) mlpBias = false;
    if (bosTokenId == null) bosTokenId = 1;
    if (eosTokenId == null) eosTokenId = 2;
    require(vocabSize > 0 && hiddenSize > 0 && intermediateSize > 0 && numHiddenLayers > 0,
        "vocab_size, hidden_size, intermediate_size and num_hidden_layers must be positive");
    require(numAttentionHeads > 0 && numKeyValueHeads > 0 && numAttentionHeads % numKeyValueHeads == 0,
        "num_attention_heads must be a positive multiple of num_key_value_heads");
    require(headDim > 0 && headDim % 2 == 0, "head_dim must be even for RoPE");
    require(hiddenAct.equals("silu"), "hidden_act " + hiddenAct + " is not supported; use silu");
    require(!attentionBias && !mlpBias, "attention_bias and mlp_bias must be false");
  }

  /** A from-scratch shape with HF's other defaults. */
  public static LlamaConfig of(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads,
      int maxPositions) {
    return new LlamaConfig(vocab, hidden, intermediate, layers, heads, kvHeads, null, maxPositions, null, null, null,
        null, null, null, null, null, null);
  }

  /** Reads a config.json tree, taking rope_theta from rope_parameters (transformers 5) when not top-level. */
  public static LlamaConfig fromJson(JsonNode config) throws IOException {
    ObjectNode n = config.deepCopy();
    for (String key : new String[] {"rope_parameters", "rope_scaling"}) {
      JsonNode rope = n.path(key);
      String type = rope.path("rope_type").asText(rope.path("type").asText("default"));
      require(rope.isMissingNode() || rope.isNull() || type.equals("default"),
          key + " of type " + type + " is not supported; only the default RoPE is");
      if (!n.has("rope_theta") && rope.has("rope_theta")) n.set("rope_theta", rope.get("rope_theta"));
    }
    return JSON.treeToValue(n, LlamaConfig.class);
  }

  /** config.json content for transformers 4.x and 5.x alike. */
  public ObjectNode toJson() {
    ObjectNode n = JSON.valueToTree(this);
    n.put("model_type", "llama");
    n.putArray("architectures").add("LlamaForCausalLM");
    n.putObject("rope_parameters").put("rope_theta", ropeTheta).put("rope_type", "default");
    n.put("attention_dropout", 0.0);
    return n;
  }

  public int kvGroups() {
    return numAttentionHeads / numKeyValueHeads;
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new FspoUserException("llama config.json: " + message, FspoUserException.CONFIG);
  }
}
