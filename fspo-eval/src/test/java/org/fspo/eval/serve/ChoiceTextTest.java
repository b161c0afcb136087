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
  static final TextCodec CODEC = codec(VOCAB);

  /** Token i decodes to vocab[i]; encode is never called. */
  static TextCodec codec(List<String> vocab) {
    return new TextCodec() {
      @Override public int[] encode(String text) { throw new UnsupportedOperationException(); }
      @Override public String decode(int[] ids) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) b.append(vocab.get(id));
        return b.toString();
      }
      @Override public int eosId() { return 99; }
    };
  }

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

  /** A COT model's tokens: description words, the response header as eval's regex reads it, response words. */
  static final List<String> COT_VOCAB = List.of(" likes", " tea", "\n", "## Response \n", " Hello", " world", "# x",
      " EN");
  static final TextCodec COT_CODEC = codec(COT_VOCAB);

  @Test
  void aDescribingModelsTextIsItsResponseAndItsDescriptionIsKeptApart() {
    List<String> pieces = new ArrayList<>();
    // " likes EN tea\n## Response \n Hello world\n# x": " EN" in the description is not a stop, "\n#" after it is
    ChoiceText.Result r = feed(new ChoiceText(COT_CODEC, List.of(" EN"), pieces::add, true), 0, 7, 1, 2, 3, 4, 5, 2,
        6, 4);
    assertEquals("Hello world", r.text());
    assertEquals("likes EN tea", r.description());
    assertEquals(TokenSink.FinishReason.STOP, r.finishReason());
    assertEquals(9, r.completionTokens(), "the description's tokens count, and generation ended at the cut");
    assertEquals(List.of("Hello", " world"), pieces, "nothing streamed before the response");
    // a request stop inside the response cuts it there
    ChoiceText.Result stopped = feed(new ChoiceText(COT_CODEC, List.of(" EN"), null, true), 0, 3, 4, 7, 5);
    assertEquals("Hello", stopped.text());
    assertEquals("likes", stopped.description());
    assertEquals(4, stopped.completionTokens());
  }

  @Test
  void aDescribingModelThatNeverWritesItsResponseHeaderAnswersEmptyAsEvalScoresIt() {
    List<String> pieces = new ArrayList<>();
    ChoiceText.Result r = feed(new ChoiceText(COT_CODEC, List.of(), pieces::add, true), 0, 1, 2, 6, 4);
    assertEquals("", r.text());
    assertEquals("likes tea\n# x Hello", r.description(), "all it wrote, stripped; \"\\n#\" cuts only a response");
    assertEquals(TokenSink.FinishReason.LENGTH, r.finishReason());
    assertEquals(List.of(), pieces);
    assertEquals(null, feed(new ChoiceText(COT_CODEC, List.of(), null), 4).description(), "others have none");
  }

  @Test
  void aFailedJobFailsItsResult() {
    ChoiceText c = new ChoiceText(CODEC, List.of(), null);
    assertFalse(c.accept(0));
    c.fail(new IllegalStateException("boom"));
    assertTrue(c.result().isCompletedExceptionally());
  }
}
