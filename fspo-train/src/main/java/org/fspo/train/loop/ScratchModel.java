package org.fspo.train.loop;

import org.fspo.train.model.Models;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.gpt2.Gpt2Config;
import org.fspo.train.model.llama.LlamaConfig;

/** A freshly initialised model of the config's shape, for training from scratch (no {@code --init}). */
public final class ScratchModel {
  private ScratchModel() {}

  /**
   * @param vocab the tokenizer's vocabulary size
   * @param eosId the tokenizer's end-of-sequence id, written as bos/eos_token_id in config.json
   */
  public static TransformerLm create(ModelShape shape, int vocab, int eosId, long seed) {
    if (shape.family().equals("gpt2")) {
      return Models.init(new Gpt2Config(vocab, shape.maxSeqLen(), shape.dModel(), shape.layers(), shape.heads(),
          shape.ffWidth(), null, null, null, null, eosId, eosId), seed);
    }
    return Models.init(new LlamaConfig(vocab, shape.dModel(), shape.ffWidth(), shape.layers(), shape.heads(),
        shape.kvHeadsOrHeads(), null, shape.maxSeqLen(), null, null, null, null, null, null, null, eosId, eosId),
        seed);
  }
}
