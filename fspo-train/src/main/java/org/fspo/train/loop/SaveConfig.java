package org.fspo.train.loop;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.fspo.train.io.SaveFormat;

/**
 * train.save: how the trained policy is written to RUN_DIR/final/ (a Hugging Face folder).
 *
 * @param dtype          {@code auto}: each tensor in the dtype the input checkpoint had (BF16 stays BF16; F32 for a
 *                       model trained from scratch), as save_pretrained does; {@code f32}: every tensor as F32
 *                       (default auto). init/ keeps the input's dtypes; sft/ and checkpoints are always F32, so the
 *                       reference and a resumed run see exactly the weights training had.
 * @param maxShardSize   above this size the weights are split into model-0000N-of-0000M.safetensors with
 *                       model.safetensors.index.json, as save_pretrained's max_shard_size: "2GB" (10^9 bytes per
 *                       GB), "500MB", "1GiB" (2^30), or a number of bytes (default "2GB")
 */
public record SaveConfig(
    @JsonProperty("dtype") String dtype,
    @JsonProperty("max_shard_size") String maxShardSize) {

  public SaveConfig {
    TrainConfig.require(dtype != null && (dtype.equals("auto") || dtype.equals("f32")), "save.dtype",
        "auto or f32", dtype);
    TrainConfig.require(maxShardSize != null && SaveFormat.parseSize(maxShardSize) > 0, "save.max_shard_size",
        "a positive size such as 2GB, 500MB or 1GiB", maxShardSize);
  }

  public static SaveConfig defaults() {
    return new SaveConfig("auto", "2GB");
  }

  /** The format final/ is written in. */
  public SaveFormat format() {
    return new SaveFormat(dtype.equals("f32"), SaveFormat.parseSize(maxShardSize));
  }
}
