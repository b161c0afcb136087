package org.fspo.eval.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.fspo.eval.generate.TextCodec;
import org.junit.jupiter.api.Test;

/** Cuts and streamed pieces on a codec whose token i is the i-th string of a fixed list. */
class ChoiceTextTest {
  static final List<String> VOCAB = List.of(" Hello", " world", "\n", "# Example", " END", "  ", "!");
  static final TextCodec CODEC = new TextCodec() {
    @Override public int[] encode(String text) { throw new UnsupportedOperationException(); }
    @Override public String decode(int[] ids) {
      StringBuilder b = new StringBuilder();
      for (int id : ids) b.append(VOCAB.get(id));
      return b.toString();
    }
    @Override public int eosId() { return 99; }
  };

  static ChoiceText.Result feed(ChoiceText c, int... tokens) {
    for (int t : tokens) {
      if (c.accept(t)) {
        c.finish(TokenSink.FinishReason.STOP);
        return c.result().join();
      }
    }
    c.finish(TokenSink.FinishReason.LENGTH);
    return c.result().join();
  }

  @Test
  void cutsAtANewSectionAsEvalDoesAndStreamsTheSameText() {
    List<String> pieces = new ArrayList<>();
    ChoiceText c = new ChoiceText(CODEC, List.of(), pieces::add);
    ChoiceText.Result r = feed(c, 0, 1, 2, 3, 6);
    assertEquals("Hello world", r.text()); // " Hello world\n# Example..." cut at "\n#", stripped
    assertEquals(TokenSink.FinishReason.STOP, r.finishReason());
    assertEquals(4, r.completionTokens(), "generation ended at the token completing the cut");
    assertEquals(List.of("Hello", " world"), pieces, "the newline was held back, then dropped");
  }

  @Test
  void requestStopSequencesAreNotIncludedAndTrailingSpaceIsHeldBack() {
    List<String> pieces = new ArrayList<>();
    ChoiceText.Result r = feed(new ChoiceText(CODEC, List.of(" EN", "zzz"), pieces::add), 0, 5, 1, 4, 6);
    assertEquals("Hello   world", r.text()); // " Hello" + "  " + " world", cut before " EN"; spaces kept inside
    assertEquals(String.join("", pieces), r.text());
    ChoiceText.Result length = feed(new ChoiceText(CODEC, List.of(), null), 0, 1, 5);
    assertEquals("Hello world", length.text());
    assertEquals(TokenSink.FinishReason.LENGTH, length.finishReason());
    assertEquals(3, length.completionTokens());
  }

  @Test
  void aFailedJobFailsItsResult() {
    ChoiceText c = new ChoiceText(CODEC, List.of(), null);
    assertFalse(c.accept(0));
    c.fail(new IllegalStateException("boom"));
    assertTrue(c.result().isCompletedExceptionally());
  }
}
