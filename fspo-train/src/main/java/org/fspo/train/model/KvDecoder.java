package org.fspo.train.model;

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
    return model.decodeLogits(promptIds, kv);
  }

  @Override
  public float[] step(int tokenId) {
    if (kv.length() == 0) throw new IllegalStateException("call prefill before step");
    return model.decodeLogits(new int[] {tokenId}, kv);
  }

  @Override
  public int length() {
    return kv.length();
  }

  @Override
  public void close() {
    kv.close();
  }
}
