package org.fspo.train.loop;

import java.nio.file.Path;

/**
 * The folder {@code fspo train --out RUN_DIR} writes:
 *
 * <pre>
 *   config.yaml      the effective config (train: section), defaults and --set applied
 *   tokenizer.json   the tokenizer every model of the run uses (built from the corpus, or copied from --init)
 *   metrics.jsonl    one JSON object per optimizer step: stage, step, epoch, loss, rewards/..., logps/...,
 *                    grad_norm, lr, tokens/s (TRL's names, see MetricNames)
 *   checkpoints/     resumable checkpoints (see Checkpoints), the newest keep_last
 *   init/            the model training started from (from scratch: the seeded initialisation; or --init's),
 *                    the same layout: the "base" that eval scores the stage-1 model against
 *   sft/             stage 1's final model: config.json, model.safetensors, tokenizer.json (the reference; F32)
 *   final/           stage 2's final model, the same layout: the trained policy, in train.save's dtype and shards,
 *                    with --init's config.json keys and generation/tokenizer files (Models.save)
 *   ref-cache/       the reference's log-probs per tokenized pair, reused by later runs
 * </pre>
 *
 * sft/ and final/ are Hugging Face folders: {@code AutoModelForCausalLM.from_pretrained("RUN_DIR/final")} and
 * {@code PreTrainedTokenizerFast(tokenizer_file="RUN_DIR/final/tokenizer.json")} load them.
 */
public record RunLayout(Path root) {
  public Path config() {
    return root.resolve("config.yaml");
  }

  public Path tokenizer() {
    return root.resolve("tokenizer.json");
  }

  public Path metrics() {
    return root.resolve("metrics.jsonl");
  }

  public Path checkpoints() {
    return root.resolve("checkpoints");
  }

  public Path init() {
    return root.resolve("init");
  }

  public Path sft() {
    return root.resolve("sft");
  }

  public Path finalModel() {
    return root.resolve("final");
  }

  public Path refCache() {
    return root.resolve("ref-cache");
  }
}
