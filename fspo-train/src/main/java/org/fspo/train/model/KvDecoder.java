package org.fspo.train.model;

import org.fspo.core.FspoUserException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link Decoder} over any {@link TransformerLm}, with one {@link KvCache}. */
final class KvDecoder implements Decoder {
  private final TransformerLm model;
  private final KvCache kv;

  KvDecoder(TransformerLm model, KvCache kv) {
    this.model = model;
    this.kv = kv;
  }

  @Override
  public float[] prefill(int[] promptIds) {
    if (promptIds.length == 0) throw new IllegalArgumentException("prefill needs at least one token");
    kv.reset();
    return decodeLogits(promptIds);
  }

  @Override
  public float[] step(int tokenId) {
    if (kv.length() == 0) throw new IllegalStateException("call prefill before step");
    return decodeLogits(new int[] {tokenId});
  }

  @Override
  public Decoder fork() {
    return new KvDecoder(model, kv.copy());
  }

  @Override
  public int length() {
    return kv.length();
  }

  @Override
  public void close() {
    kv.close();
  }

  /** Logits [V] after n new tokens appended to a single cached sequence: the head on the last token only. */
  private float[] decodeLogits(int[] ids) {
    int n = ids.length, past = kv.length();
    if (past + n > kv.capacity()) {
      throw new FspoUserException("decoding past " + kv.capacity() + " tokens, the model's maximum; shorten the prompt");
    }
    int[] pos = new int[n];
    float[] mask = new float[n * (past + n)];
    for (int i = 0; i < n; i++) {
      pos[i] = past + i;
      for (int j = 0; j < past + n; j++) mask[i * (past + n) + j] = j <= past + i ? 0f : -1e30f;
    }
    Pass pass = new Pass(1, n, ids, pos, Nd4j.create(mask, new long[] {1, 1, n, past + n}, 'c'), kv);
    INDArray h = model.hidden(pass, null);
    kv.advance(n);
    INDArray last = Nd4j.pullRows(h, 1, new int[] {n - 1}); // [1, C]
    INDArray z = Ops.linear(last, model.param(model.headName())); // [1, V]
    float[] out = z.toFloatVector();
    Ops.close(h, last, z, pass.mask());
    return out;
  }
}
