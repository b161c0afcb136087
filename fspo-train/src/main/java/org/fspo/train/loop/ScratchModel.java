package org.fspo.train.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.train.model.Models;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.gpt2.Gpt2Config;
import org.fspo.train.model.gpt2.Gpt2Model;
import org.fspo.train.model.llama.LlamaConfig;
import org.fspo.train.model.llama.LlamaModel;

/**
 * A freshly initialised model of the config's shape, for training from scratch (no {@code --init}). The HF config
 * is written as the config.json keys train.model sets; every other key takes the config record's default, as when
 * transformers reads a config.json that leaves it out.
 */
public final class ScratchModel {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ScratchModel() {}

  /**
   * @param vocab the tokenizer's vocabulary size
   * @param eosId the tokenizer's end-of-sequence id, written as bos/eos_token_id in config.json
   */
  public static TransformerLm create(ModelShape shape, int vocab, int eosId, long seed) {
    return shape.family().equals("gpt2") ? Models.init(gpt2(shape, vocab, eosId), seed)
        : Models.init(llama(shape, vocab, eosId), seed);
  }

  /** The parameter shapes {@link #create} would allocate, by HF name; nothing is allocated. */
  static LinkedHashMap<String, long[]> shapes(ModelShape shape, int vocab) {
    return shape.family().equals("gpt2") ? Gpt2Model.shapes(gpt2(shape, vocab, 0))
        : LlamaModel.shapes(llama(shape, vocab, 0));
  }

  static Gpt2Config gpt2(ModelShape s, int vocab, int eosId) {
    return hf(Gpt2Config.class, Map.of("vocab_size", vocab, "n_positions", s.maxSeqLen(), "n_embd", s.dModel(),
        "n_layer", s.layers(), "n_head", s.heads(), "n_inner", s.ffWidth(), "bos_token_id", eosId,
        "eos_token_id", eosId));
  }

  static LlamaConfig llama(ModelShape s, int vocab, int eosId) {
    return hf(LlamaConfig.class, Map.of("vocab_size", vocab, "hidden_size", s.dModel(), "intermediate_size",
        s.ffWidth(), "num_hidden_layers", s.layers(), "num_attention_heads", s.heads(), "num_key_value_heads",
        s.kvHeadsOrHeads(), "max_position_embeddings", s.maxSeqLen(), "bos_token_id", eosId, "eos_token_id", eosId));
  }

  /** The record of a config.json holding just these keys; its own one-line error when it refuses them. */
  private static <T> T hf(Class<T> type, Map<String, Object> configJson) {
    try {
      return JSON.convertValue(configJson, type);
    } catch (IllegalArgumentException e) {
      for (Throwable c = e; c != null; c = c.getCause()) if (c instanceof FspoUserException u) throw u;
      throw e;
    }
  }
}
