package org.fspo.train.loop;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * train.model: the architecture trained from scratch (ignored with {@code --init}, except max_seq_len), and the
 * tokenizer built for it. The vocabulary size comes from the tokenizer.
 *
 * @param family            gpt2 or llama (default gpt2)
 * @param dModel            hidden size C (default 128)
 * @param layers            transformer blocks (default 4)
 * @param heads             attention heads; d_model must be a multiple (default 4)
 * @param kvHeads           llama's key/value heads; heads must be a multiple (default 0: equal to heads)
 * @param dFf               MLP width (default 0: 4 d_model for gpt2, 8/3 d_model rounded up to 32 for llama)
 * @param maxSeqLen         longest training sequence, prompt plus completion, in tokens; also the model's
 *                          position count when trained from scratch (default 512)
 * @param minResponseTokens a completion cut to fit max_seq_len keeps at least this many tokens (default 16)
 * @param vocabMax          most ids of a tokenizer built from the corpus (default 8192)
 * @param vocabMinCount     words seen fewer times are left to the unknown token (default 1)
 */
public record ModelShape(
    @JsonProperty("family") String family,
    @JsonProperty("d_model") int dModel,
    @JsonProperty("layers") int layers,
    @JsonProperty("heads") int heads,
    @JsonProperty("kv_heads") int kvHeads,
    @JsonProperty("d_ff") int dFf,
    @JsonProperty("max_seq_len") int maxSeqLen,
    @JsonProperty("min_response_tokens") int minResponseTokens,
    @JsonProperty("vocab_max") int vocabMax,
    @JsonProperty("vocab_min_count") int vocabMinCount) {

  public ModelShape {
    TrainConfig.require(family.equals("gpt2") || family.equals("llama"), "model.family", "gpt2 or llama", family);
    TrainConfig.require(dModel > 0 && heads > 0 && dModel % heads == 0, "model.d_model",
        "a positive multiple of model.heads", dModel);
    TrainConfig.require(layers > 0, "model.layers", "positive", layers);
    TrainConfig.require(kvHeads >= 0 && (kvHeads == 0 || heads % kvHeads == 0), "model.kv_heads",
        "0 or a divisor of model.heads", kvHeads);
    TrainConfig.require(dFf >= 0, "model.d_ff", "0 (automatic) or positive", dFf);
    TrainConfig.require(minResponseTokens >= 1 && maxSeqLen > minResponseTokens, "model.max_seq_len",
        "greater than model.min_response_tokens (>= 1)", maxSeqLen);
    TrainConfig.require(vocabMax >= 4, "model.vocab_max", "at least 4", vocabMax);
    TrainConfig.require(vocabMinCount >= 1, "model.vocab_min_count", "at least 1", vocabMinCount);
  }

  public static ModelShape defaults() {
    return new ModelShape("gpt2", 128, 4, 4, 0, 0, 512, 16, 8192, 1);
  }

  public int kvHeadsOrHeads() {
    return kvHeads == 0 ? heads : kvHeads;
  }

  public int ffWidth() {
    if (dFf > 0) return dFf;
    return family.equals("gpt2") ? 4 * dModel : (8 * dModel / 3 + 31) / 32 * 32;
  }
}
