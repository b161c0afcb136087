package org.fspo.train.loop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.fspo.core.episode.PreferencePair;
import org.fspo.train.dist.RingAllReduce;
import org.fspo.train.dist.RingGradientSync;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.tokenizer.WordLevelTokenizer;

/**
 * Benchmark (not a test) for scripts/bench/train_distributed's overhead_n1: the trainer's stage-2 step time as the
 * plain trainer ({@link Replicas#single()}) against the same trainer as the only worker of a 1-worker ring, which
 * runs the whole distributed path except the network: the token and metric sums, the gradients packed into
 * buckets and copied back, and the weight hash every hash_every steps. Data: synthetic pairs of random words
 * (prompt P words, responses P/2), so a step holds 8 pairs of about max_seq_len tokens on a word-level vocabulary
 * of about 4096. Runs alternate plain / distributed, REPEATS each; the time of a step is the gap between consecutive
 * stop-hook calls (steps 3.. of stage 2), and each variant's figure is the median over all its steps. Prints one
 * JSON line.
 *
 * <p>Usage: DistOverheadBench d_model layers heads max_seq_len steps repeats hash_every
 */
public final class DistOverheadBench {
  public static void main(String[] args) throws Exception {
    int d = Integer.parseInt(args[0]), layers = Integer.parseInt(args[1]), heads = Integer.parseInt(args[2]);
    int seq = Integer.parseInt(args[3]), steps = Integer.parseInt(args[4]), repeats = Integer.parseInt(args[5]);
    int hashEvery = Integer.parseInt(args[6]);
    List<PreferencePair> pairs = pairs(seq);
    TrainConfig c = TrainConfig.load(null, List.of("model.family=gpt2", "model.d_model=" + d, "model.layers=" + layers,
        "model.heads=" + heads, "model.max_seq_len=" + seq, "model.vocab_max=4096", "data.shots=1", "sft.epochs=0",
        "sft.steps=1", "fspo.epochs=0", "fspo.steps=" + steps, "optim.batch_pairs=8", "checkpoint.every_steps=100000",
        "distributed.hash_every=" + hashEvery));
    List<Double> plain = new ArrayList<>(), dist = new ArrayList<>();
    Path tmp = Files.createTempDirectory("dist-overhead");
    for (int r = 0; r < repeats; r++) {
      plain.addAll(stepTimes(c, pairs, tmp.resolve("plain" + r), false));
      dist.addAll(stepTimes(c, pairs, tmp.resolve("dist" + r), true));
    }
    double p = median(plain), q = median(dist);
    System.out.printf("{\"shape\": \"d%d_L%d\", \"max_seq_len\": %d, \"steps\": %d, \"repeats\": %d, "
        + "\"hash_every\": %d, \"plain_step_s\": %.5f, \"distributed_n1_step_s\": %.5f, \"overhead\": %.4f}%n",
        d, layers, seq, plain.size(), repeats, hashEvery, p, q, q / p - 1);
  }

  static List<Double> stepTimes(TrainConfig c, List<PreferencePair> pairs, Path out, boolean distributed)
      throws Exception {
    List<Long> at = new ArrayList<>();
    Trainer.StopHook hook = (stage, step) -> {
      if (stage.equals("fspo")) at.add(System.nanoTime());
      return false;
    };
    List<String> texts = new ArrayList<>();
    for (PreferencePair p : pairs) texts.addAll(List.of(p.prompt(), p.chosen(), p.rejected()));
    try (WordLevelTokenizer tok = WordLevelTokenizer.build(texts, 4096, 1);
        RingAllReduce ring = RingAllReduce.connect(0, null, List.of(new java.net.InetSocketAddress(0)))) {
      TransformerLm model = ScratchModel.create(c.model(), tok.vocabSize(), tok.eosId(), c.seed());
      Trainer t = new Trainer(c, tok, c.data().episodes(pairs, c.seed()), out, new Trainer.Options(false, false, hook));
      if (distributed) t.on(new Replicas(new RingGradientSync(ring), c.distributed()));
      t.run(model);
    }
    List<Double> gaps = new ArrayList<>();
    for (int i = 3; i < at.size(); i++) gaps.add((at.get(i) - at.get(i - 1)) / 1e9);
    return gaps;
  }

  /** 8 users x 8 questions of random words from a 4000-word vocabulary: prompts of seq/4 words, responses seq/8. */
  static List<PreferencePair> pairs(int seq) {
    Random rnd = new Random(3);
    List<PreferencePair> out = new ArrayList<>();
    for (int u = 0; u < 8; u++) {
      for (int q = 0; q < 8; q++) {
        out.add(new PreferencePair("user" + u, "u" + u + "q" + q, words(rnd, seq / 4), words(rnd, seq / 8),
            words(rnd, seq / 8), null, "procedural", "train", null));
      }
    }
    return out;
  }

  static String words(Random rnd, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) s.append(i == 0 ? "" : " ").append("w").append(rnd.nextInt(4000));
    return s.toString();
  }

  static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
