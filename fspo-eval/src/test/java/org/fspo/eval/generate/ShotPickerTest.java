package org.fspo.eval.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.fspo.core.episode.PreferencePair;
import org.junit.jupiter.api.Test;

class ShotPickerTest {
  private static List<PreferencePair> pairs(int n) {
    List<PreferencePair> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new PreferencePair("u1", "p" + i, "question " + i, "yes", "no", null, "d", "train", null));
    }
    return out;
  }

  @Test
  void neverTheQuestionsOwnPairAndTheSameWhateverTheInputOrder() {
    List<PreferencePair> all = pairs(6);
    List<PreferencePair> picked = ShotPicker.pick(all, "p2", "question 2", 5, 7);
    assertEquals(5, picked.size());
    assertTrue(picked.stream().noneMatch(p -> p.pairId().equals("p2")));
    assertEquals(5, new HashSet<>(picked).size());
    List<PreferencePair> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new Random(3));
    assertEquals(picked, ShotPicker.pick(shuffled, "p2", "question 2", 5, 7));
    // the same text under another id is the question too
    assertTrue(ShotPicker.pick(all, "new", " question 4 ", 5, 7).stream().noneMatch(p -> p.pairId().equals("p4")));
  }

  @Test
  void tooFewPairsIsNullAndSeedsAndQuestionsChangeTheDraw() {
    assertNull(ShotPicker.pick(pairs(3), "p0", "question 0", 3, 1));
    assertEquals(2, ShotPicker.pick(pairs(3), "p0", "question 0", 2, 1).size());
    List<PreferencePair> all = pairs(20);
    assertNotEquals(ShotPicker.pick(all, "q", "new", 3, 1), ShotPicker.pick(all, "q", "new", 3, 2));
    assertNotEquals(ShotPicker.pick(all, "q", "new", 3, 1), ShotPicker.pick(all, "r", "new", 3, 1));
  }

  @Test
  void everyPairIsEquallyLikelyAcrossQuestions() {
    List<PreferencePair> all = pairs(10);
    int[] counts = new int[10];
    for (int q = 0; q < 5000; q++) {
      for (PreferencePair p : ShotPicker.pick(all, "q" + q, "new " + q, 2, 0)) {
        counts[Integer.parseInt(p.pairId().substring(1))]++;
      }
    }
    for (int c : counts) { // expected 1000 each; 5 sigma of a binomial(5000, 0.2) is about 141
      assertTrue(Math.abs(c - 1000) < 141, java.util.Arrays.toString(counts));
    }
  }
}
