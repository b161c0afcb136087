package org.fspo.train.model;

import java.util.ArrayList;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Incremental decoding of up to S sequences at once, for continuous batching (as vLLM serves): each sequence owns a
 * slot of a {@link BatchedKvCache}; {@link #prefill} runs one new sequence's prompt into its slot, and {@link #step}
 * appends one token to each of R running sequences in a single pass of the stack (R rows of 1 token), so the weights
 * are read once per step for all of them. Sequences join and leave between steps.
 *
 * <p>With the prefix cache off, a prefill of one prompt is {@link KvDecoder#prefill}'s computation exactly (same
 * shapes); with it on, a prompt's cached prefix is copied in and only the rest computed. A step of one row is
 * {@link KvDecoder#step}'s; with R rows the matmuls are [R, C] x [C, *] instead of [1, C] x [C, *], which a BLAS may
 * round differently in the last bit. Row i of a step sees keys [0, len_i] of its own slot only: the additive mask
 * hides the rest of the [R, nkv, Lk, hs] keys. Not thread-safe: one thread drives it.
 */
public final class BatchedDecoder implements AutoCloseable {
  private static final float MASKED = -1e30f;
  private final TransformerLm model;
  private final BatchedKvCache kv;
  private final PrefixCache prefix; // null when off
  private final String workspace = "fspo-batched-decode-" + COUNT.incrementAndGet();
  private static final java.util.concurrent.atomic.AtomicLong COUNT = new java.util.concurrent.atomic.AtomicLong();

  public BatchedDecoder(TransformerLm model, int slots) {
    this(model, slots, 0);
  }

  /**
   * A decoder of {@code slots} sequences that reuses the keys and values of prompt prefixes it has already computed,
   * up to {@code prefixCacheBytes} of them ({@link PrefixCache}; 0 turns it off).
   */
  public BatchedDecoder(TransformerLm model, int slots, long prefixCacheBytes) {
    if (slots < 1) throw new IllegalArgumentException("a batched decoder needs at least 1 slot, got " + slots);
    this.model = model;
    int[] s = model.kvShape(); // {layers, kvHeads, headSize}
    this.kv = new BatchedKvCache(slots, s[0], s[1], model.maxPositions(), s[2]);
    PrefixCache cache = new PrefixCache(s[0], s[1], s[2], prefixCacheBytes);
    this.prefix = prefixCacheBytes >= cache.blockBytes() ? cache : null;
  }

  /** The prefix cache's counters; all zero when it is off. */
  public PrefixCache.Stats prefixStats() {
    return prefix == null ? new PrefixCache.Stats(0, 0, 0, 0, 0) : prefix.stats();
  }

  /** Tokens of {@code prompt} a prefill would compute now: its length less the cached prefix (a scheduler's peek). */
  public int uncached(int[] prompt) {
    return prompt.length - (prefix == null ? 0 : prefix.match(prompt, false).size() * PrefixCache.BLOCK);
  }

  public int slots() {
    return kv.slots();
  }

  /** Tokens a slot holds (its prompt plus its steps). */
  public int length(int slot) {
    return kv.length(slot);
  }

  public int maxPositions() {
    return kv.capacity();
  }

  /** Empties the slot, runs the prompt in it, and returns the logits [V] predicting the next token. */
  public float[] prefill(int slot, int[] promptIds) {
    return prefill(new int[] {slot}, new int[][] {promptIds})[0];
  }

  /**
   * Prefills k new sequences in one pass: slot slots[i] gets prompts[i]. Returns logits [k][V], row i predicting the
   * token after prompts[i]. Row i first takes the c_i tokens of its prompt's prefix found in the prefix cache (copied
   * into its slot; c_i = 0 without one), then computes the rest: the k rows are Lq = the longest remainder's length,
   * a shorter row padded at its end (with its last token, at the next positions). Under the causal mask a real query
   * at position c_i + t sees keys 0..c_i + t only, all real, so each row computes exactly its own prompt's states, as
   * a prefill of that prompt alone does (up to BLAS rounding for other shapes); the padding's keys and values land in
   * the slot past its length and the next step overwrites them. Afterwards the prompts' full blocks are cached.
   */
  public float[][] prefill(int[] slots, int[][] prompts) {
    int r = slots.length;
    if (r == 0 || r != prompts.length) throw new IllegalArgumentException("prefill needs one prompt per slot");
    for (int[] p : prompts) {
      if (p.length == 0) throw new IllegalArgumentException("prefill needs at least one token");
      checkRoom(p.length);
    }
    kv.rows(slots); // checks each slot exists
    if (java.util.Arrays.stream(slots).distinct().count() != r) {
      throw new IllegalArgumentException("prefill slots must be distinct: " + java.util.Arrays.toString(slots));
    }
    List<List<PrefixCache.Block>> hits = new ArrayList<>();
    for (int[] p : prompts) hits.add(prefix == null ? List.of() : prefix.match(p, true));
    int[] cached = new int[r];
    int lq = fitToRoom(prompts, hits, cached);
    for (int i = 0; i < r && prefix != null; i++) prefix.recordUse(prompts[i].length, cached[i]);
    for (int i = 0; i < r; i++) {
      kv.clear(slots[i]);
      for (int b = 0; b < cached[i] / PrefixCache.BLOCK; b++) {
        PrefixCache.Block block = hits.get(i).get(b);
        kv.load(slots[i], b * PrefixCache.BLOCK, PrefixCache.BLOCK, block.k(), block.v());
      }
    }
    int lk = 0;
    for (int c : cached) lk = Math.max(lk, c + lq);
    int[] ids = new int[r * lq], pos = new int[r * lq], added = new int[r], last = new int[r];
    float[] mask = new float[r * lq * lk]; // [R, 1, Lq, Lk]: query t of row i is at position c_i + t, causal
    for (int i = 0; i < r; i++) {
      int n = prompts[i].length, c = cached[i];
      for (int t = 0; t < lq; t++) {
        ids[i * lq + t] = prompts[i][Math.min(c + t, n - 1)];
        pos[i * lq + t] = c + t;
        for (int j = 0; j < lk; j++) mask[(i * lq + t) * lk + j] = j <= c + t ? 0f : MASKED;
      }
      added[i] = n - c;
      last[i] = i * lq + n - c - 1; // the hidden state that predicts row i's next token
    }
    INDArray m = Nd4j.create(mask, new long[] {r, 1, lq, lk}, 'c');
    float[][] logits = run(new Pass(r, lq, ids, pos, m, kv), added, last);
    if (prefix != null) {
      for (int i = 0; i < r; i++) {
        int slot = slots[i];
        prefix.insert(prompts[i], hits.get(i).subList(0, cached[i] / PrefixCache.BLOCK),
            (start, k, v) -> kv.read(slot, start, PrefixCache.BLOCK, k, v));
      }
    }
    return logits;
  }

  /**
   * Sets cached[i] to the tokens row i takes from the cache and returns Lq, the longest remainder. A row whose
   * cached prefix plus Lq would pass the model's maximum (its padding runs past the end when another row's remainder
   * is long) computes its whole prompt instead; that can lengthen Lq, so repeat until every row fits.
   */
  private int fitToRoom(int[][] prompts, List<List<PrefixCache.Block>> hits, int[] cached) {
    for (int i = 0; i < cached.length; i++) cached[i] = hits.get(i).size() * PrefixCache.BLOCK;
    while (true) {
      int lq = 0;
      for (int i = 0; i < cached.length; i++) lq = Math.max(lq, prompts[i].length - cached[i]);
      boolean changed = false;
      for (int i = 0; i < cached.length; i++) {
        if (cached[i] > 0 && cached[i] + lq > kv.capacity()) {
          cached[i] = 0;
          changed = true;
        }
      }
      if (!changed) return lq;
    }
  }

  /**
   * Appends tokens[i] to the sequence in slots[i], all in one pass; returns logits [R][V], row i predicting the token
   * after tokens[i].
   */
  public float[][] step(int[] slots, int[] tokens) {
    int r = slots.length;
    if (r != tokens.length || r == 0) throw new IllegalArgumentException("step needs one token per slot, at least one");
    int lk = 0;
    for (int s : slots) {
      if (kv.length(s) == 0) throw new IllegalStateException("slot " + s + ": call prefill before step");
      checkRoom(kv.length(s) + 1);
      lk = Math.max(lk, kv.length(s) + 1);
    }
    kv.rows(slots);
    int[] pos = new int[r];
    float[] mask = new float[r * lk]; // [R, 1, 1, Lk]: row i sees its own keys 0..len_i
    for (int i = 0; i < r; i++) {
      pos[i] = kv.length(slots[i]);
      for (int j = 0; j < lk; j++) mask[i * lk + j] = j <= pos[i] ? 0f : MASKED;
    }
    int[] ones = new int[r], rowsOut = new int[r];
    for (int i = 0; i < r; i++) {
      ones[i] = 1;
      rowsOut[i] = i;
    }
    return run(new Pass(r, 1, tokens.clone(), pos, Nd4j.create(mask, new long[] {r, 1, 1, lk}, 'c'), kv), ones,
        rowsOut);
  }

  private void checkRoom(int length) {
    if (length > kv.capacity()) {
      throw new FspoUserException("decoding past " + kv.capacity() + " tokens, the model's maximum; shorten the prompt");
    }
  }

  /**
   * The stack over the pass; slot of row i grows by added[i] tokens; then the LM head on the hidden states headRows
   * (flat row * Lq + t indices): [headRows, V]. Every array of the pass is allocated
   * in this decoder's ND4J workspace (see {@link Workspaces}), reused pass after pass, so a server decoding for hours
   * allocates no off-heap memory per token; only the float[][] logits leave it.
   */
  private float[][] run(Pass pass, int[] added, int[] headRows) {
    try (MemoryWorkspace ws = Workspaces.open(workspace)) {
      INDArray h;
      try {
        h = model.hidden(pass, null);
      } catch (RuntimeException e) {
        kv.releasePass();
        throw e;
      }
      kv.advance(added);
      INDArray last = headRows.length == h.rows() ? h : h.getRows(headRows); // [N, C]
      INDArray z = Ops.linear(last, model.param(model.headName())); // [N, V]
      return z.toFloatMatrix();
    } finally {
      Ops.close(pass.mask());
    }
  }

  @Override
  public void close() {
    kv.close();
  }
}
