package org.fspo.eval.generate;

/** Text to token ids and back, with the end-of-sequence id: the part of a tokenizer generation needs. */
public interface TextCodec {
  int[] encode(String text);

  String decode(int[] ids);

  int eosId();
}
