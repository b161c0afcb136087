package org.fspo.train.loop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.ChatFormat;
import org.fspo.train.checkpoint.TrainerState;
import org.fspo.train.data.Collated;
import org.fspo.train.data.EpisodeSource;
import org.fspo.train.data.PairCollator;
import org.fspo.train.io.ModelWeights;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Models;
import org.fspo.train.tokenizer.ChatTemplate;
import org.fspo.train.tokenizer.HfTokenizer;

/**
 * Stage 2's reference log-probs computed ahead of training, one part of the episodes at a time, so that independent
 * tasks (Spark's, in the distributed job) fill the same {@link RefLogpCache} file the trainer reads: every episode
 * stage 2 will draw (each epoch's, up to its last step) is split by position modulo {@code parts}; a part's lines
 * are returned, and {@link #append} adds the new ones to {@code <cache>/<reference hash>.tsv}. Needs RUN_DIR after
 * stage 1: sft/ (the reference), tokenizer.json and, for a chat run, the kept template.
 */
public final class RefPrecompute {
  private RefPrecompute() {}

  /** The cache file's lines (key, logp chosen, logp rejected) for part {@code part} of {@code parts}. */
  public static List<String> lines(TrainConfig config, List<PreferencePair> pairs, Path runDir, int part, int parts)
      throws IOException {
    RunLayout run = new RunLayout(runDir);
    List<Episode> mine = new ArrayList<>();
    List<Episode> all = stageEpisodes(config, config.data().episodes(pairs, config.seed()));
    for (int i = part; i < all.size(); i += parts) mine.add(all.get(i));
    CausalLm reference = Models.load(run.sft());
    ChatFormat chat = config.data().chatTemplate() == ChatTemplateMode.AUTO ? ChatTemplate.load(run.root())
        : ChatFormat.NONE;
    Path scratch = Files.createTempDirectory("fspo-ref-part");
    try (HfTokenizer tokenizer = HfTokenizer.load(run.tokenizer());
        RefLogpCache cache = new RefLogpCache(reference, scratch, "part")) {
      PairCollator collator = new PairCollator(tokenizer, config.data().format(), chat,
          Math.min(config.model().maxSeqLen(), reference.maxPositions()), config.model().minResponseTokens());
      int b = config.optim().batchPairs();
      for (int i = 0; i < mine.size(); i += b) {
        Collated c = collator.collate(mine.subList(i, Math.min(mine.size(), i + b)));
        cache.logps(c);
      }
    } // the cache appended the part's lines to scratch/part.tsv
    Path file = scratch.resolve("part.tsv");
    List<String> out = Files.readAllLines(file, StandardCharsets.UTF_8);
    Files.delete(file);
    Files.delete(scratch);
    return out;
  }

  /** The reference's name in the cache: the hash of sft/'s weights, as the trainer computes it. */
  public static String referenceHash(Path runDir) {
    return ModelWeights.hash(new RunLayout(runDir).sft());
  }

  /** Appends the lines whose keys the cache file does not hold yet; returns how many were new. */
  public static int append(Path cacheDir, String referenceHash, List<String> lines) throws IOException {
    Files.createDirectories(cacheDir);
    Path file = cacheDir.resolve(referenceHash + ".tsv");
    Set<String> have = new HashSet<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) have.add(line.split("\t", 2)[0]);
    }
    List<String> fresh = new ArrayList<>();
    for (String line : lines) if (have.add(line.split("\t", 2)[0])) fresh.add(line);
    Files.write(file, fresh, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return fresh.size();
  }

  /** Every episode stage 2 draws, in order: each epoch's, as the trainer walks them, up to the stage's last step. */
  static List<Episode> stageEpisodes(TrainConfig config, EpisodeSource episodes) {
    StageConfig sc = config.fspo();
    int pps = config.optim().pairsPerStep();
    List<Episode> first = episodes.epoch(Trainer.stream(TrainerState.FSPO, 0));
    long perEpoch = (first.size() + pps - 1) / pps;
    long total = sc.steps() > 0 ? sc.steps() : sc.epochs() * perEpoch;
    List<Episode> out = new ArrayList<>();
    long step = 0;
    for (long epoch = 0; step < total && !first.isEmpty(); epoch++) {
      List<Episode> eps = epoch == 0 ? first : episodes.epoch(Trainer.stream(TrainerState.FSPO, epoch));
      long steps = (eps.size() + pps - 1) / pps;
      long take = Math.min(steps, total - step);
      out.addAll(eps.subList(0, (int) Math.min(eps.size(), take * pps)));
      step += take;
    }
    return out;
  }
}
