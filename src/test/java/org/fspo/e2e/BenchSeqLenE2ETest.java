package org.fspo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.synth.job.SynthConfig;
import org.fspo.synth.job.SynthConfigs;
import org.fspo.synth.procedural.ProceduralGenerator;
import org.fspo.synth.procedural.ProceduralPair;
import org.fspo.train.data.PairCollator;
import org.fspo.train.data.Truncation;
import org.fspo.train.loop.TrainConfig;
import org.fspo.train.tokenizer.WordLevelTokenizer;
import org.junit.jupiter.api.Test;

/**
 * conf/bench-personalization.yaml promises 8 shots with their dispreferred responses within max_seq_len, none
 * dropped (issue 11): the worst case of its own users, each query with the 8 longest of the user's other pairs, in
 * every prompt variant the bench's methods train and score with (plain, with a description to write, with the
 * description given), collated exactly as training and scoring do.
 */
class BenchSeqLenE2ETest {
  private static final Path CONFIG = Path.of("..", "..", "conf", "bench-personalization.yaml");
  private static final int SHOTS = 8, USERS = 24;

  @Test
  void eightLongestShotsFitTheBenchsMaxSeqLenInEveryVariant() {
    SynthConfig synth = SynthConfigs.load(CONFIG, List.of());
    TrainConfig train = TrainConfig.load(CONFIG, List.of());
    assertTrue(train.data().format().includeDispreferred(), "the bench's shots show their dispreferred responses");
    List<Episode> worst = worstEpisodes(synth);
    List<String> texts = new ArrayList<>();
    worst.forEach(e -> e.shots().forEach(p -> texts.addAll(List.of(p.prompt(), p.chosen(), p.rejected(),
        p.userDescription()))));
    WordLevelTokenizer tokenizer = WordLevelTokenizer.build(texts, 8192, 1);
    int maxSeqLen = train.model().maxSeqLen(), minResponse = train.model().minResponseTokens();
    for (PromptFormat format : List.of(new PromptFormat(true, false, false), new PromptFormat(true, true, false),
        new PromptFormat(true, true, true))) {
      Truncation cut = new PairCollator(tokenizer, format, maxSeqLen, minResponse).collate(worst).truncation();
      assertEquals(Truncation.NONE, cut, format + " at max_seq_len " + maxSeqLen);
    }
    // the check can fail: the demo's 384 tokens (and even 640) drop shots of these episodes
    Truncation demo = new PairCollator(tokenizer, PromptFormat.DEFAULT, 640, minResponse).collate(worst).truncation();
    assertTrue(demo.shotsDropped() > 0, demo.toString());
  }

  /** For every user and query, the 8 longest other pairs of the user as shots. */
  private static List<Episode> worstEpisodes(SynthConfig synth) {
    ProceduralGenerator generator = new ProceduralGenerator(synth.seed(), synth.procedural());
    List<Episode> episodes = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      String description = generator.user(u).description();
      List<PreferencePair> pairs = new ArrayList<>();
      for (ProceduralPair p : generator.pairs(u, synth.pairsPerUser())) {
        pairs.add(new PreferencePair(p.userId(), p.userId() + "-" + p.pairIndex(), p.question(), p.chosen(),
            p.rejected(), description, "procedural", "train", null));
      }
      for (PreferencePair query : pairs) {
        List<PreferencePair> shots = new ArrayList<>(pairs);
        shots.remove(query);
        shots.sort(Comparator.comparingInt((PreferencePair p) -> -(p.prompt() + p.chosen() + p.rejected()).length()));
        episodes.add(new Episode(query.userId(), shots.subList(0, SHOTS), query));
      }
    }
    return episodes;
  }
}
