package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.fspo.core.episode.Episode;
import org.fspo.train.data.Collated;
import org.fspo.train.data.PairCollator;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Models;
import org.fspo.train.tokenizer.WordLevelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reference log-probs computed once, equal to a direct forward pass, and reused from disk by a new cache. */
class RefLogpCacheTest {
  @Test
  void computesOnceAndReusesFromDisk(@TempDir Path tmp) {
    CausalLm ref = Models.load(org.fspo.train.model.FixtureRoots.first().resolve("gpt2/policy"));
    TrainConfig c = TinyRuns.config("gpt2", "ipo");
    try (WordLevelTokenizer tok = TinyRuns.tokenizer()) {
      List<Episode> eps = TinyRuns.sampler(c).epoch(0);
      PairCollator collator = new PairCollator(tok, c.data().format(), 64, 4);
      Collated first = collator.collate(eps.subList(0, 3));
      Collated second = collator.collate(eps.subList(1, 4)); // overlaps the first in two pairs
      double[] direct = ref.forward(first.batch()).seqLogps();
      double[][] a;
      try (RefLogpCache cache = new RefLogpCache(ref, tmp, "abc")) {
        a = cache.logps(first);
        assertEquals(3, cache.misses());
        cache.logps(second);
        assertEquals(2, cache.hits(), "pairs already seen are not recomputed");
        assertEquals(4, cache.misses());
      }
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(new double[] {direct[2 * i], direct[2 * i + 1]}, a[i], 1e-4 * Math.abs(direct[2 * i]));
      }
      try (RefLogpCache reopened = new RefLogpCache(ref, tmp, "abc")) {
        double[][] b = reopened.logps(first);
        assertEquals(0, reopened.misses(), "a new run reads the file");
        for (int i = 0; i < 3; i++) assertArrayEquals(a[i], b[i], 0.0, "stored exactly");
      }
      try (RefLogpCache other = new RefLogpCache(ref, tmp, "def")) {
        other.logps(first);
        assertEquals(3, other.misses(), "another reference hash has its own entries");
      }
    }
  }
}
