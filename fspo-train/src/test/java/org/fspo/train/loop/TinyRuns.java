package org.fspo.train.loop;

import java.util.ArrayList;
import java.util.List;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.train.data.EpisodeSource;
import org.fspo.train.tokenizer.WordLevelTokenizer;

/**
 * A tiny preference set that a few steps can learn: every user prefers the "warm" answer to the "cold" one (a
 * population preference: the smoke tests check the training mechanics, not personalization). Plus a tiny config.
 */
final class TinyRuns {
  private TinyRuns() {}

  static List<PreferencePair> pairs() {
    String[] topics = {"tea", "rain", "music", "books", "cats", "trains"};
    List<PreferencePair> out = new ArrayList<>();
    for (int u = 0; u < 4; u++) {
      for (int q = 0; q < topics.length; q++) {
        String good = "warm and kind words about " + topics[q];
        String bad = "cold and short note on " + topics[q];
        out.add(new PreferencePair("user" + u, "u" + u + "q" + q, "What about " + topics[q] + "?",
            good, bad, null, "procedural", "train", null));
      }
    }
    return out;
  }

  static WordLevelTokenizer tokenizer() {
    List<String> texts = new ArrayList<>();
    for (PreferencePair p : pairs()) texts.addAll(List.of(p.prompt(), p.chosen(), p.rejected()));
    return WordLevelTokenizer.build(texts, 1000, 1);
  }

  static EpisodeSource sampler(TrainConfig c) {
    return c.data().episodes(pairs(), c.seed());
  }

  static TrainConfig config(String family, String loss, String... sets) {
    List<String> all = new ArrayList<>(List.of("model.family=" + family, "model.d_model=32", "model.layers=2",
        "model.heads=2", "model.max_seq_len=160", "model.min_response_tokens=4", "data.shots=1", "sft.epochs=0", "sft.steps=2", "sft.lr=3e-3", "fspo.epochs=0", "fspo.steps=6",
        "fspo.lr=3e-3", "fspo.loss=" + loss, "optim.warmup_steps=2", "optim.batch_pairs=4",
        "checkpoint.every_steps=3", "checkpoint.keep_last=2", "seed=7"));
    all.addAll(List.of(sets));
    return TrainConfig.load(null, all);
  }

  static final PromptFormat FORMAT = PromptFormat.DEFAULT;
}
