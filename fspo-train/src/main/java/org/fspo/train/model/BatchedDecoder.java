package org.fspo.train.model;

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
 * <p>Prefill is {@link KvDecoder#prefill}'s computation exactly (same shapes), and a step of one row is
 * {@link KvDecoder#step}'s; with R rows the matmuls are [R, C] x [C, *] instead of [1, C] x [C, *], which a BLAS may
 * round differently in the last bit. Row i of a step sees keys [0, len_i] of its own slot only: the additive mask
 * hides the rest of the [R, nkv, Lk, hs] keys. Not thread-safe: one thread drives it.
 */
public final class BatchedDecoder implements AutoCloseable {
  private static final float MASKED = -1e30f;
  private final TransformerLm model;
  private final BatchedKvCache kv;
  private final String workspace = "fspo-batched-decode-" + COUNT.incrementAndGet();
  private static final java.util.concurrent.atomic.AtomicLong COUNT = new java.util.concurrent.atomic.AtomicLong();

  public BatchedDecoder(TransformerLm model, int slots) {
    if (slots < 1) throw new IllegalArgumentException("a batched decoder needs at least 1 slot, got " + slots);
    this.model = model;
    int[] s = model.kvShape(); // {layers, kvHeads, headSize}
    this.kv = new BatchedKvCache(slots, s[0], s[1], model.maxPositions(), s[2]);
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
   * token after prompts[i]. The k prompts are rows of Lq = the longest prompt's length; a shorter row is padded at
   * its end (with its last token, at the next positions). Under the causal mask a real query q sees keys 0..q only,
   * all real, so each row computes exactly its own prompt's states, as a prefill of that prompt alone does; the
   * padding's keys and values land in the slot past its length and the next step overwrites them.
   */
  public float[][] prefill(int[] slots, int[][] prompts) {
    int r = slots.length, lq = 0;
    if (r == 0 || r != prompts.length) throw new IllegalArgumentException("prefill needs one prompt per slot");
    for (int[] p : prompts) {
      if (p.length == 0) throw new IllegalArgumentException("prefill needs at least one token");
      checkRoom(p.length);
      lq = Math.max(lq, p.length);
    }
    kv.rows(slots); // checks each slot exists
    if (java.util.Arrays.stream(slots).distinct().count() != r) {
      throw new IllegalArgumentException("prefill slots must be distinct: " + java.util.Arrays.toString(slots));
    }
    for (int s : slots) kv.clear(s);
    int[] ids = new int[r * lq], pos = new int[r * lq], lengths = new int[r], last = new int[r];
    for (int i = 0; i < r; i++) {
      int n = prompts[i].length;
      for (int t = 0; t < lq; t++) {
        ids[i * lq + t] = prompts[i][Math.min(t, n - 1)];
        pos[i * lq + t] = t;
      }
      lengths[i] = n;
      last[i] = i * lq + n - 1; // the hidden state that predicts row i's next token
    }
    float[] mask = new float[r * lq * lq]; // [R, 1, Lq, Lq]: each row causal, as KvDecoder's with nothing cached
    for (int i = 0; i < lq; i++) {
      for (int j = 0; j < lq; j++) mask[i * lq + j] = j <= i ? 0f : MASKED;
    }
    for (int i = 1; i < r; i++) System.arraycopy(mask, 0, mask, i * lq * lq, lq * lq);
    INDArray m = Nd4j.create(mask, new long[] {r, 1, lq, lq}, 'c');
    return run(new Pass(r, lq, ids, pos, m, kv), lengths, last);
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
