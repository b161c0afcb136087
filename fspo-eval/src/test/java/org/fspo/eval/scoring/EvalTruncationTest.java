package org.fspo.eval.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Provenance;
import org.fspo.core.prompt.FewShotPrompt;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.core.prompt.RenderedPair;
import org.fspo.eval.metrics.PairScore;
import org.fspo.eval.metrics.PromptFitCell;
import org.fspo.train.data.Collated;
import org.fspo.train.data.PairCollator;
import org.fspo.train.model.TokenBatch;
import org.junit.jupiter.api.Test;

/**
 * Truncation at eval must not favour chosen over rejected: both completions of a pair are scored after the same
 * prompt ids and both whole, whenever that is possible by dropping shots; and the rule never looks at which one is
 * chosen (swapping them swaps the scores exactly). The "model" here scores the real collator's batch.
 */
class EvalTruncationTest {
  private static final Provenance PROV = Provenance.imported("t", 0, "2026-01-01T00:00:00Z");
  private static final String LONG = "yes indeed this answer keeps going with many more words than the other one";
  private static final String SHORT = "no thanks";

  /** Records, per scored pair, both rows' prompt ids and completion lengths; logp = -(completion tokens kept). */
  static final class Recorder {
    final PairCollator collator;
    final List<int[][]> prompts = new ArrayList<>(); // {chosen row prompt, rejected row prompt}
    final List<int[]> kept = new ArrayList<>();      // {chosen tokens kept, rejected tokens kept}

    Recorder(PairCollator collator) {
      this.collator = collator;
    }

    CollatedLogprobs model() {
      return new CollatedLogprobs(this::score, collator);
    }

    double[][] score(List<RenderedPair> pairs) {
      Collated c = collator.collateRendered(pairs);
      TokenBatch b = c.batch();
      double[][] out = new double[pairs.size()][];
      for (int i = 0; i < pairs.size(); i++) {
        int[] keptI = {count(b.responseMask()[2 * i]), count(b.responseMask()[2 * i + 1])};
        prompts.add(new int[][] {prompt(b, 2 * i), prompt(b, 2 * i + 1)});
        kept.add(keptI);
        out[i] = new double[] {-keptI[0], -keptI[1]};
      }
      return out;
    }

    private static int count(int[] mask) {
      return Arrays.stream(mask).sum();
    }

    private static int[] prompt(TokenBatch b, int row) {
      int n = 0;
      while (b.responseMask()[row][n] == 0 && b.attentionMask()[row][n] == 1) {
        n++;
      }
      return Arrays.copyOf(b.inputIds()[row], n);
    }
  }

  static PreferencePair pair(int i, String chosen, String rejected) {
    return new PreferencePair("u", "u-" + i, "how do I start question number " + i + " ?", chosen, rejected, null,
        "procedural", "test", PROV);
  }

  static Episode episode(int shots, String chosen, String rejected) {
    List<PreferencePair> context = new ArrayList<>();
    for (int i = 1; i <= shots; i++) {
      context.add(pair(i, "a fairly long preferred shot answer " + i, "a dispreferred shot answer " + i));
    }
    return new Episode("u", context, pair(0, chosen, rejected));
  }

  private static final PromptFormat FORMAT = MethodSpec.fspo(1.0).format();

  /** Prompt tokens of the episode with its first k shots, by the test's tokenizer. */
  static int promptTokens(WordTokenizer tok, Episode e, int k) {
    return tok.encode(FewShotPrompt.render(e.shots().subList(0, k), e.query(), FORMAT).prompt()).length;
  }

  /** Tokens of a completion as scored: its response header, the text, a newline, then EOS. */
  static int completionTokens(WordTokenizer tok, String text) {
    return tok.encode(FewShotPrompt.render(List.of(), pair(0, text, text), FORMAT).chosen()).length + 1;
  }

  @Test
  void shotsGoFirstSoBothCompletionsAreScoredWholeAfterOnePrompt() {
    WordTokenizer tok = new WordTokenizer();
    Episode e = episode(4, LONG, SHORT);
    int longest = completionTokens(tok, LONG);
    // room for exactly 2 of the 4 shots: the 3-shot prompt is longer than the 2-shot one
    int maxSeqLen = promptTokens(tok, e, 2) + longest;
    assertTrue(promptTokens(tok, e, 3) + longest > maxSeqLen);
    Recorder rec = new Recorder(new PairCollator(tok, FORMAT, maxSeqLen, 4));
    // without dropping shots the collator would cut the long (chosen) completion and keep the short one whole
    assertTrue(rec.collator.collateRendered(List.of(FewShotPrompt.render(e.shots(), e.query(), FORMAT)))
        .truncation().responsesCut() > 0);

    List<PairScore> scores = new RewardScorer(2).score(MethodSpec.fspo(1.0), List.of(new EvalEpisode(4, e)),
        rec.model(), rec.model(), null);
    for (int i = 0; i < rec.prompts.size(); i++) {
      assertArrayEquals(rec.prompts.get(i)[0], rec.prompts.get(i)[1], "chosen and rejected share the prompt ids");
      assertArrayEquals(new int[] {longest, completionTokens(tok, SHORT)}, rec.kept.get(i), "both completions whole");
    }
    PairScore s = scores.get(0);
    assertEquals(2, s.shotsDropped());
    assertFalse(s.promptCut());
    assertEquals(0, s.responsesCut());
    PromptFitCell cell = PromptFitCell.of(scores);
    assertEquals(new PromptFitCell(1, 1, 2, 0, 0), cell);
  }

  @Test
  void swappingChosenAndRejectedSwapsTheScoresEvenWhenACompletionMustBeCut() {
    WordTokenizer tok = new WordTokenizer();
    // max_seq_len so small that even at 0 shots the long completion is cut: the residual case, counted
    int maxSeqLen = promptTokens(tok, episode(0, LONG, SHORT), 0) + completionTokens(tok, SHORT) + 2;
    for (int shots : new int[] {0, 3}) {
      Recorder rec = new Recorder(new PairCollator(tok, FORMAT, maxSeqLen, 4));
      PairScore ab = score(rec, episode(shots, LONG, SHORT), shots);
      PairScore ba = score(rec, episode(shots, SHORT, LONG), shots);
      assertEquals(ab.policyChosen(), ba.policyRejected(), 0.0);
      assertEquals(ab.policyRejected(), ba.policyChosen(), 0.0);
      assertEquals(-ab.margin(), ba.margin(), 0.0);
      assertEquals(ab.shotsDropped(), ba.shotsDropped());
      assertEquals(shots, ab.shotsDropped());
      assertEquals(1, ab.responsesCut()); // the long completion, whichever side it is on: reported, not hidden
      for (int[][] p : rec.prompts) {
        assertArrayEquals(p[0], p[1]);
      }
    }
  }

  private static PairScore score(Recorder rec, Episode e, int shots) {
    return new RewardScorer(1).score(MethodSpec.fspo(1.0), List.of(new EvalEpisode(shots, e)), rec.model(),
        rec.model(), null).get(0);
  }

  /** One token per whitespace-separated word or newline; pad 0, eos 1. */
  static final class WordTokenizer implements org.fspo.train.tokenizer.TextTokenizer {
    private final Map<String, Integer> ids = new HashMap<>();

    @Override
    public int[] encode(String text) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\n|[^\\s]+").matcher(text);
      List<Integer> out = new ArrayList<>();
      while (m.find()) {
        out.add(ids.computeIfAbsent(m.group(), t -> ids.size() + 2));
      }
      return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override public String decode(int[] idArray) { throw new UnsupportedOperationException(); }
    @Override public int vocabSize() { return ids.size() + 2; }
    @Override public int eosId() { return 1; }
    @Override public int padId() { return 0; }
    @Override public void save(java.nio.file.Path file) { throw new UnsupportedOperationException(); }
    @Override public void close() {}
  }
}
