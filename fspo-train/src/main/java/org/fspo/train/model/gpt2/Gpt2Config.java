package org.fspo.train.model.gpt2;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.fspo.core.FspoUserException;

/**
 * Hugging Face GPT2Config, the keys this project reads (transformers' configuration_gpt2.py; absent keys take HF's
 * defaults). Unknown keys are ignored on read, since HF configs carry many that do not change the math here.
 *
 * @param vocabSize         vocab_size, V
 * @param nPositions        n_positions, the learned position table's length
 * @param nEmbd             n_embd, C
 * @param nLayer            n_layer
 * @param nHead             n_head, nh (head size C / nh)
 * @param nInner            n_inner, the MLP width (null: 4 C)
 * @param layerNormEpsilon  layer_norm_epsilon (1e-5)
 * @param activation        activation_function: only gelu_new (the tanh approximation) is supported
 * @param initializerRange  initializer_range, std of the normal init (0.02)
 * @param tieWordEmbeddings tie_word_embeddings (true): the LM head is transformer.wte.weight
 * @param bosTokenId        bos_token_id (50256)
 * @param eosTokenId        eos_token_id (50256)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Gpt2Config(
    @JsonProperty("vocab_size") int vocabSize,
    @JsonProperty("n_positions") int nPositions,
    @JsonProperty("n_embd") int nEmbd,
    @JsonProperty("n_layer") int nLayer,
    @JsonProperty("n_head") int nHead,
    @JsonProperty("n_inner") Integer nInner,
    @JsonProperty("layer_norm_epsilon") Double layerNormEpsilon,
    @JsonProperty("activation_function") String activation,
    @JsonProperty("initializer_range") Double initializerRange,
    @JsonProperty("tie_word_embeddings") Boolean tieWordEmbeddings,
    @JsonProperty("bos_token_id") Integer bosTokenId,
    @JsonProperty("eos_token_id") Integer eosTokenId) {

  public Gpt2Config {
    if (layerNormEpsilon == null) layerNormEpsilon = 1e-5;
    if (activation == null) activation = "gelu_new";
    if (initializerRange == null) initializerRange = 0.02;
    if (tieWordEmbeddings == null) tieWordEmbeddings = true;
    if (bosTokenId == null) bosTokenId = 50256;
    if (eosTokenId == null) eosTokenId = 50256;
    require(vocabSize > 0, "vocab_size must be positive");
    require(nPositions > 0, "n_positions must be positive");
    require(nLayer > 0, "n_layer must be positive");
    require(nHead > 0 && nEmbd > 0 && nEmbd % nHead == 0, "n_embd must be a positive multiple of n_head");
    require(activation.equals("gelu_new") || activation.equals("gelu_pytorch_tanh"),
        "activation_function " + activation + " is not supported; use gelu_new");
  }

  /** A from-scratch shape with HF's other defaults. */
  public static Gpt2Config of(int vocab, int positions, int embd, int layers, int heads) {
    return new Gpt2Config(vocab, positions, embd, layers, heads, null, null, null, null, null, null, null);
  }

  public int headSize() {
    return nEmbd / nHead;
  }

  public int innerSize() {
    return nInner == null ? 4 * nEmbd : nInner;
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new FspoUserException("gpt2 config.json: " + message, FspoUserException.CONFIG);
  }
}
