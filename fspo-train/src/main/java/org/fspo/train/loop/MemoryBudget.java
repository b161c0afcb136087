package org.fspo.train.loop;

import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.fspo.core.FspoUserException;

/**
 * Checks a from-scratch model's size before anything is allocated, so a typo such as
 * {@code train.model.max_seq_len=50000000} or {@code d_model=65536} is one line with exit 78, not an
 * OutOfMemoryError or an "integer overflow" from deep inside the initialiser (issue 14 §5).
 *
 * <p>Two checks, in long arithmetic ({@link Math#multiplyExact}, so the check itself cannot wrap):
 * <ol>
 *   <li>every parameter tensor holds at most {@link Integer#MAX_VALUE} values (the initialiser, the safetensors IO
 *       and llama's RoPE tables fill Java arrays);</li>
 *   <li>the estimate below fits the memory ND4J may take off-heap: {@code -Dorg.bytedeco.javacpp.maxbytes} (JavaCPP's
 *       default: the heap limit), and never more than the machine's physical memory.</li>
 * </ol>
 *
 * <p>The estimate, in float32 values (4 bytes), is a lower bound of the peak, so a refused config could not have
 * run; it is taken for a batch that fills max_seq_len, the configured worst case (a run that only fits while its
 * batches stay short would die at its first long batch instead):
 * <pre>
 *   P params x (weights + gradients + optimizer moments (adamw 2, rmsprop 1; +1 with ema_decay's average)
 *               + stage 2's frozen reference)
 * + per micro-batch, saved for the backward pass, with R = batch_pairs rows of T = max_seq_len tokens (the
 *   shared-prefix layout runs a pair as one row of at least T tokens, so this undercounts the plain layout):
 *     R T L (8 C + 2 F)        activations per layer (a block saves about 11 C + 3 F per token)
 *   + R L nh T^2 / 2           causal attention probabilities (the query blocks skip at most half the matrix)
 *   + R T^2                    the attention mask
 * </pre>
 * L layers, C d_model, F the MLP width, nh heads.
 */
final class MemoryBudget {
  private MemoryBudget() {}

  /** The estimate's parts, in bytes. */
  record Estimate(long params, long stateBytes, long activationBytes) {
    long total() {
      return Math.addExact(stateBytes, activationBytes);
    }
  }

  /** Throws one line naming the key when the model of {@code config.model()} with {@code vocab} ids cannot fit. */
  static void require(TrainConfig config, int vocab) {
    ModelShape m = config.model();
    Map<String, long[]> shapes = ScratchModel.shapes(m, vocab);
    Estimate e;
    try {
      requireTensorsFit(m, shapes);
      e = estimate(config, shapes);
    } catch (ArithmeticException overflow) {
      throw new FspoUserException(describe(m) + ": the model's size overflows 64-bit arithmetic; lower "
          + "train.model.d_model, layers or max_seq_len", FspoUserException.CONFIG);
    }
    long limit = offHeapLimit();
    if (e.total() <= limit) return;
    boolean activations = e.activationBytes() > e.stateBytes();
    String key = activations ? "train.model.max_seq_len=" + m.maxSeqLen() : describe(m);
    throw new FspoUserException(key + ": training needs at least " + human(e.total()) + " (parameters, gradients, "
        + "optimizer and reference " + human(e.stateBytes()) + " for " + e.params() + " parameters; activations "
        + human(e.activationBytes()) + " for " + config.optim().batchPairs() + " pairs of " + m.maxSeqLen()
        + " tokens), more than the " + human(limit) + " ND4J may allocate here (-Dorg.bytedeco.javacpp.maxbytes, "
        + "physical memory); lower " + (activations ? "train.model.max_seq_len or train.optim.batch_pairs"
            : "train.model.d_model or train.model.layers") + ", or give the JVM more memory", FspoUserException.CONFIG);
  }

  /** One tensor per Java array: at most 2^31 - 1 values; names the key that made the tensor too big. */
  static void requireTensorsFit(ModelShape m, Map<String, long[]> shapes) {
    for (Map.Entry<String, long[]> t : shapes.entrySet()) {
      long n = count(t.getValue());
      if (n > Integer.MAX_VALUE) {
        String key = t.getKey().contains("wpe") ? "train.model.max_seq_len=" + m.maxSeqLen()
            : t.getKey().contains("mlp") && m.dFf() > 0 ? "train.model.d_ff=" + m.dFf()
            : "train.model.d_model=" + m.dModel();
        throw new FspoUserException(key + " makes tensor " + t.getKey() + " " + java.util.Arrays.toString(t.getValue())
            + " hold " + n + " values, more than the " + Integer.MAX_VALUE + " one tensor can hold; lower it",
            FspoUserException.CONFIG);
      }
    }
    if (m.family().equals("llama")) { // Rope: cos and sin tables of max_seq_len x head_size / 2 floats each
      long rope = Math.multiplyExact((long) m.maxSeqLen(), m.dModel() / m.heads() / 2);
      if (rope > Integer.MAX_VALUE) {
        throw new FspoUserException("train.model.max_seq_len=" + m.maxSeqLen() + " makes llama's RoPE tables hold "
            + rope + " values, more than the " + Integer.MAX_VALUE + " one array can hold; lower it",
            FspoUserException.CONFIG);
      }
    }
  }

  /** The estimate of the class comment. */
  static Estimate estimate(TrainConfig config, Map<String, long[]> shapes) {
    ModelShape m = config.model();
    long params = 0;
    for (long[] s : shapes.values()) params = Math.addExact(params, count(s));
    int moments = (config.optim().name().equals("adamw") ? 2 : 1) + (config.optim().emaDecay() > 0 ? 1 : 0);
    long state = Math.multiplyExact(Math.multiplyExact(params, 3 + moments), 4);
    long rows = config.optim().batchPairs(), tokens = m.maxSeqLen(), layers = m.layers();
    long perToken = Math.addExact(Math.multiplyExact(8L, m.dModel()), Math.multiplyExact(2L, m.ffWidth()));
    long squared = Math.multiplyExact(tokens, tokens);
    long acts = Math.multiplyExact(Math.multiplyExact(rows * tokens, layers), perToken);
    acts = Math.addExact(acts, Math.multiplyExact(Math.multiplyExact(rows * layers, m.heads()), squared) / 2);
    acts = Math.addExact(acts, Math.multiplyExact(rows, squared));
    return new Estimate(params, state, Math.multiplyExact(acts, 4));
  }

  /** What ND4J may allocate off-heap: JavaCPP's maxbytes, and at most the machine's physical memory. */
  static long offHeapLimit() {
    long limit = Pointer.maxBytes() > 0 ? Pointer.maxBytes() : Long.MAX_VALUE;
    long physical = Pointer.totalPhysicalBytes();
    return physical > 0 ? Math.min(limit, physical) : limit;
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long d : shape) n = Math.multiplyExact(n, d);
    return n;
  }

  private static String describe(ModelShape m) {
    return "train.model.d_model=" + m.dModel() + ", layers=" + m.layers();
  }

  static String human(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
