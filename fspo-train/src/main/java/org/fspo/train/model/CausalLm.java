package org.fspo.train.model;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A decoder-only language model with an explicit forward and backward pass. Every loss this project trains (SFT
 * negative log-likelihood, DPO, IPO) is a function of per-sequence summed response log-probs, so the model's
 * training interface is: {@link #forward} gives those log-probs, {@link #backward} takes dLoss/dLogp per sequence
 * and returns the gradient of every parameter.
 */
public interface CausalLm {
  /** "gpt2" or "llama" (the Llama family: model_type llama, mistral, qwen2). */
  String family();

  int vocabSize();

  /** Longest sequence the model accepts (GPT-2's n_positions; Llama's max_position_embeddings). */
  int maxPositions();

  /**
   * config.json's eos_token_id: the ids that end a generated response (Llama 3 Instruct lists three; empty when the
   * config has none). Generation also stops at the tokenizer's end-of-sequence token.
   */
  default List<Integer> eosTokenIds() {
    return List.of();
  }

  /** Trainable tensors keyed by their Hugging Face names, in a fixed order. The optimizer updates them in place. */
  LinkedHashMap<String, INDArray> parameters();

  /** Full logits [B, T, V] for the batch (no cache kept). */
  INDArray logits(TokenBatch batch);

  /** Forward pass that keeps the activations {@link #backward} needs. */
  Forward forward(TokenBatch batch);

  /**
   * Gradients of the loss with respect to every parameter, keyed by HF name, for the batch of {@code forward},
   * given dLoss/dSeqLogp[b] for each sequence b. Releases the forward cache.
   */
  Map<String, INDArray> backward(Forward forward, double[] dLossDSeqLogp);

  /**
   * A fresh incremental decoder with a key/value cache over this model's current weights, for generation. Memory is
   * O(maxPositions) per decoder; close it when done.
   */
  default Decoder decoder() {
    throw new UnsupportedOperationException(family() + " has no incremental decoder");
  }

  /** Writes config.json and model.safetensors in Hugging Face's layout, names and dtypes. */
  void save(Path dir);

  /**
   * The result of a forward pass.
   *
   * @param seqLogps       [B] sum over response tokens of log p(token | prefix)
   * @param responseTokens [B] number of response tokens scored per sequence
   * @param cache          model-specific activations for the backward pass (null after backward)
   */
  record Forward(double[] seqLogps, int[] responseTokens, Object cache) {}
}
