package org.fspo.eval.serve;

/** Receives one decode job's tokens on the engine's thread, in order; exactly one of finish or fail ends it. */
public interface TokenSink {
  /** A new token (never EOS); returns true when the text is complete (a stop sequence), ending generation. */
  boolean accept(int token);

  /** Generation ended: STOP (EOS or a stop sequence) or LENGTH (max_tokens or the model's context). */
  void finish(FinishReason reason);

  /** The job failed; the message is the client's (one line). */
  void fail(RuntimeException error);

  /** OpenAI's finish_reason values. */
  enum FinishReason {
    STOP("stop"), LENGTH("length");

    private final String wire;

    FinishReason(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }
}
