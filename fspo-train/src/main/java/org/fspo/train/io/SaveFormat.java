package org.fspo.train.io;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a model's weights are written.
 *
 * @param f32           true: every tensor as F32; false ("auto"): each tensor in the dtype it was read in (F32 for a
 *                      model built here), as transformers' save_pretrained keeps a model's dtype
 * @param maxShardBytes above this many bytes the weights are split into shards with an index (default 2 GB)
 */
public record SaveFormat(boolean f32, long maxShardBytes) {
  /** 2 GB, as huggingface_hub counts it (10^9 bytes per GB). */
  public static final long DEFAULT_SHARD_BYTES = 2_000_000_000L;

  public SaveFormat {
    if (maxShardBytes <= 0) throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
  }

  /** Input dtypes kept, 2 GB shards. */
  public static SaveFormat defaults() {
    return new SaveFormat(false, DEFAULT_SHARD_BYTES);
  }

  /** F32, 2 GB shards: what a checkpoint or an in-run reference needs to restore weights bit for bit. */
  public static SaveFormat exact() {
    return new SaveFormat(true, DEFAULT_SHARD_BYTES);
  }

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|KIB|MIB|GIB)?");

  /**
   * Parses huggingface_hub's size strings: "2GB" (10^9), "500MB", "64KB", "1GiB" (2^30), "100" or "100B" (bytes).
   * Returns -1 when the text is not one.
   */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) return -1;
    long unit = switch (m.group(2) == null ? "B" : m.group(2)) {
      case "KB" -> 1_000L;
      case "MB" -> 1_000_000L;
      case "GB" -> 1_000_000_000L;
      case "KIB" -> 1L << 10;
      case "MIB" -> 1L << 20;
      case "GIB" -> 1L << 30;
      default -> 1L;
    };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    } catch (ArithmeticException | NumberFormatException e) {
      return -1;
    }
  }
}
