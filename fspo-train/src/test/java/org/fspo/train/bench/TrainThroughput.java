package org.fspo.train.bench;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Models;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.gpt2.Gpt2Config;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Benchmark (not a test): one FSPO IPO step per iteration on a GPT-2-style model from scratch, the step that
 * scripts/bench/train_throughput also times in PyTorch. Batch: P pairs, each a shared prompt of S - R tokens and two
 * different R-token responses (R = S / 4), no padding. Step: policy forward, IPO loss on summed log-probs against
 * precomputed reference log-probs (beta 0.01), backward, and AdamW (lr 1e-4, betas 0.9/0.999, eps 1e-8, weight
 * decay 0.01), written out here so the benchmark does not depend on the trainer. Prints one JSON object; times
 * are the median over the timed steps, after 2 warm-up steps.
 *
 * <p>Usage: TrainThroughput d_model layers heads vocab pairs seq_len steps [sharing=true|false]
 */
public final class TrainThroughput {
  public static void main(String[] args) throws Exception {
    int d = Integer.parseInt(args[0]), layers = Integer.parseInt(args[1]), heads = Integer.parseInt(args[2]);
    int vocab = Integer.parseInt(args[3]), pairs = Integer.parseInt(args[4]), seq = Integer.parseInt(args[5]);
    int steps = Integer.parseInt(args[6]);
    boolean sharing = args.length < 8 || Boolean.parseBoolean(args[7]);
    TransformerLm model = Models.init(Gpt2Config.of(vocab, seq, d, layers, heads), 0);
    model.setPrefixSharing(sharing);
    TokenBatch batch = batch(pairs, seq, vocab, new Random(1));
    double[] refLogps = new double[2 * pairs];
    for (int i = 0; i < refLogps.length; i++) refLogps[i] = -4.0 * seq / 4; // fixed reference log-probs
    AdamW opt = new AdamW(model.parameters());
    double beta = 0.01;
    int warmup = 2;
    double loss = 0, rssWarm = 0;
    double[] times = new double[steps], cpu = new double[steps];
    for (int s = 0; s < warmup + steps; s++) {
      long start = System.nanoTime();
      double cpuStart = cpuSeconds();
      if (s == warmup + 1) rssWarm = rssMb("VmRSS:"); // after the first timed step
      CausalLm.Forward f = model.forward(batch);
      double[] dl = new double[2 * pairs];
      loss = 0;
      for (int i = 0; i < pairs; i++) { // IPO, Eq. 17, summed log-probs: (h - 1/(2 beta))^2, mean over pairs
        double h = (f.seqLogps()[2 * i] - refLogps[2 * i]) - (f.seqLogps()[2 * i + 1] - refLogps[2 * i + 1]);
        loss += Math.pow(h - 1 / (2 * beta), 2) / pairs;
        double dh = 2 * (h - 1 / (2 * beta)) / pairs;
        dl[2 * i] = dh;
        dl[2 * i + 1] = -dh;
      }
      Map<String, INDArray> grads = model.backward(f, dl);
      opt.step(grads, 1e-4);
      grads.values().forEach(INDArray::close);
      if (s >= warmup) {
        times[s - warmup] = (System.nanoTime() - start) / 1e9;
        cpu[s - warmup] = cpuSeconds() - cpuStart;
      }
      if (System.getenv("FSPO_BENCH_TRACE") != null) {
        System.err.printf("step %d: %.2f s, loss %.4f, rss %.0f MB, heap %d MB%n", s,
            (System.nanoTime() - start) / 1e9, loss, rssMb("VmRSS:"),
            (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
      }
    }
    Arrays.sort(times);
    Arrays.sort(cpu);
    double seconds = times[steps / 2]; // the median step: this machine is shared, so means wander
    double tokens = 2.0 * pairs * seq;
    double flops = stepFlops(d, layers, vocab, pairs, seq, sharing);
    System.out.printf("{\"d_model\": %d, \"layers\": %d, \"heads\": %d, \"seq_len\": %d, \"vocab\": %d, \"pairs\": %d,"
        + " \"sharing\": %s, \"step_s\": %.4f, \"tokens_per_s\": %.1f, \"gflops\": %.1f, \"peak_rss_mb\": %.0f,"
        + " \"cpu_s_per_step\": %.3f, \"rss_growth_mb\": %.0f, \"loss\": %.4f, \"sgemm_gflops\": %.1f}%n", d, layers, heads, seq, vocab, pairs,
        sharing, seconds, tokens / seconds, flops / seconds / 1e9, rssMb("VmHWM:"), cpu[steps / 2],
        steps > 1 ? rssMb("VmRSS:") - rssWarm : 0, loss, sgemmGflops());
  }

  /** Pairs of [prompt (seq - seq/4 tokens, shared) + response (seq/4 tokens, differing)]. */
  static TokenBatch batch(int pairs, int seq, int vocab, Random rng) {
    int resp = seq / 4;
    int[][] ids = new int[2 * pairs][seq], att = new int[2 * pairs][seq], rm = new int[2 * pairs][seq];
    for (int i = 0; i < pairs; i++) {
      for (int t = 0; t < seq; t++) {
        int shared = rng.nextInt(vocab);
        for (int k = 0; k < 2; k++) {
          ids[2 * i + k][t] = t < seq - resp ? shared : rng.nextInt(vocab);
          att[2 * i + k][t] = 1;
          rm[2 * i + k][t] = t < seq - resp ? 0 : 1;
        }
      }
      ids[2 * i + 1][seq - resp] = (ids[2 * i][seq - resp] + 1) % vocab; // the responses differ from their first token
    }
    return new TokenBatch(ids, att, rm);
  }

  /** Matmul FLOPs this implementation performs per step (forward + 2x for backward). */
  static double stepFlops(int d, int layers, int vocab, int pairs, int seq, boolean sharing) {
    int resp = seq / 4;
    double rows = sharing ? pairs : 2.0 * pairs, len = sharing ? seq + resp : seq;
    double n = rows * len, scored = 2.0 * pairs * (resp);
    double perLayer = 2 * n * 12.0 * d * d + 4 * rows * len * len * d;
    return 3 * (layers * perLayer + 2 * scored * d * vocab);
  }

  /** User + system CPU time of this process so far (all threads), from /proc/self/stat. */
  static double cpuSeconds() throws Exception {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in clock ticks (USER_HZ 100)
  }

  /** VmHWM (peak resident set) or VmRSS (current) of this process, in MiB. */
  static double rssMb(String key) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(key)) return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
    }
    return -1;
  }

  /** OpenBLAS sgemm through Nd4j.matmul on 1024^3, best of 5. */
  static double sgemmGflops() {
    INDArray a = Nd4j.rand(1024, 1024), b = Nd4j.rand(1024, 1024);
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 6; i++) {
      long t = System.nanoTime();
      Nd4j.matmul(a, b).close();
      if (i > 0) best = Math.min(best, (System.nanoTime() - t) / 1e9);
    }
    return 2.0 * 1024 * 1024 * 1024 / best / 1e9;
  }

  /**
   * torch.optim.AdamW (decoupled weight decay: p -= lr wd p, then the bias-corrected Adam step), one fused Java loop
   * per tensor over the arrays' memory. The trainer's optimizer is the production one; this keeps the benchmark
   * self-contained.
   */
  static final class AdamW {
    private final Map<String, INDArray> params, m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
    private int t;

    AdamW(Map<String, INDArray> params) {
      this.params = params;
      params.forEach((k, p) -> {
        m.put(k, Nd4j.zerosLike(p));
        v.put(k, Nd4j.zerosLike(p));
      });
    }

    void step(Map<String, INDArray> grads, double lr) {
      t++;
      double b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01;
      double c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
      grads.forEach((k, g) -> {
        FloatBuffer p = params.get(k).data().asNioFloat(), gs = g.data().asNioFloat();
        FloatBuffer ms = m.get(k).data().asNioFloat(), vs = v.get(k).data().asNioFloat();
        for (int i = 0, n = (int) g.length(); i < n; i++) {
          double gi = gs.get(i), mi = b1 * ms.get(i) + (1 - b1) * gi, vi = b2 * vs.get(i) + (1 - b2) * gi * gi;
          ms.put(i, (float) mi);
          vs.put(i, (float) vi);
          p.put(i, (float) (p.get(i) * (1 - lr * wd) - lr / c1 * mi / (Math.sqrt(vi / c2) + eps)));
        }
      });
    }
  }

  private TrainThroughput() {}
}
