package org.fspo.train.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fspo.train.loss.PreferenceLoss;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.llama.LlamaConfig;
import org.fspo.train.model.llama.LlamaModel;
import org.fspo.train.model.lora.LoraAdapters;
import org.fspo.train.model.lora.LoraConfig;
import org.fspo.train.optim.AdamW;
import org.fspo.train.optim.Gradients;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Benchmark (not a test): the trainer's IPO step at real checkpoint shapes with random weights, the step that
 * scripts/bench/train_scale also times in PyTorch (scripts/bench/train_scale_torch.py). One pair per step: a
 * 512-token chosen and rejected row sharing a 256-token prompt, 256 response tokens each, no padding.
 *
 * <p>A step is what the trainer does for one micro-batch (loop/Trainer, loop/TrainStep, RefLogpCache on a miss):
 * the reference log-probs (full fine-tuning: a second, frozen copy of the model, as stage 2 loads sft/; LoRA: the
 * policy with its adapter detached, LoraStages.adapterOff), the policy forward pass, IPO on summed log-probs (beta
 * 0.01, PreferenceLoss), backward, clip_grad_norm 1.0 (Gradients.clip) and the production AdamW (lr 5e-5, weight
 * decay 0, the trainer's default). LoRA: r 16, alpha 32, all-linear (q, k, v, o, gate, up, down of every block).
 * Prefix sharing is on, as in the trainer: the prompt runs once per pair.
 *
 * <p>Times: the median of the timed steps after the warm-up steps, each split into ref / forward / backward /
 * optimizer with System.nanoTime. Then one more step runs under Java Flight Recorder for "where the time goes"
 * ({@link TrainScaleProfile}; skipped with TRAIN_SCALE_PROFILE=0); the peak RSS (VmHWM) is read before that step.
 * Prints one JSON object.
 *
 * <p>Usage: TrainScale smollm2-135m|qwen2.5-0.5b full|lora WARMUP STEPS
 */
public final class TrainScale {
  static final int SEQ = 512, RESPONSE = 256, LORA_R = 16;
  static final double LORA_ALPHA = 32, BETA = 0.01, LR = 5e-5, CLIP = 1.0;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TransformerLm policy;
  private final CausalLm reference; // full fine-tuning only; LoRA's reference is the policy with its adapter off
  private final AdamW opt = AdamW.withWeightDecay(0.0);
  private final TokenBatch batch;
  double loss;
  final double[] cpu = new double[5]; // process CPU seconds at the phase boundaries of the last step (trace only)

  private TrainScale(TransformerLm policy, CausalLm reference, TokenBatch batch) {
    this.policy = policy;
    this.reference = reference;
    this.batch = batch;
  }

  public static void main(String[] args) throws Exception {
    String shape = args[0], mode = args[1];
    int warmup = Integer.parseInt(args[2]), steps = Integer.parseInt(args[3]);
    LlamaConfig config = config(shape);
    TransformerLm policy = randomModel(config, 0);
    long params = count(policy.weights());
    CausalLm reference = null;
    if (mode.equals("lora")) {
      LoraAdapters.init(policy, LoraConfig.of(LORA_R, LORA_ALPHA, false, List.of(LoraConfig.ALL_LINEAR)), 1);
    } else if (mode.equals("full")) {
      reference = copyOf(config, policy); // stage 2 holds sft/ as a second model
    } else {
      throw new IllegalArgumentException("mode must be full or lora: " + mode);
    }
    long trainable = count(policy.parameters());
    TrainScale bench = new TrainScale(policy, reference, batch(config.vocabSize(), new Random(1)));
    double[][] phases = new double[steps][];
    double[] cpu = new double[steps];
    for (int s = 0; s < warmup + steps; s++) {
      double cpuStart = TrainThroughput.cpuSeconds();
      double[] t = bench.step();
      if (s >= warmup) {
        phases[s - warmup] = t;
        cpu[s - warmup] = TrainThroughput.cpuSeconds() - cpuStart;
      }
      if (System.getenv("FSPO_BENCH_TRACE") != null) {
        System.err.printf("step %d: %.2f s (ref %.2f fwd %.2f bwd %.2f opt %.2f), loss %.4f, rss %.0f MB%n", s,
            t[4], t[0], t[1], t[2], t[3], bench.loss, TrainThroughput.rssMb("VmRSS:"));
        double[] c = bench.cpu;
        System.err.printf("  process cpu s: ref %.2f fwd %.2f bwd %.2f opt %.2f%n", c[1] - c[0], c[2] - c[1],
            c[3] - c[2], c[4] - c[3]);
      }
    }
    double peakRss = TrainThroughput.rssMb("VmHWM:"); // before the profiled step
    double[] median = median(phases);
    ObjectNode out = JSON.createObjectNode();
    out.put("name", shape).put("mode", mode).put("params", params).put("trainable", trainable).put("seq_len", SEQ)
        .put("pairs", 1).put("tokens_per_step", 2 * SEQ).put("step_s", round(median[4]))
        .put("tokens_per_s", round(2 * SEQ / median[4])).put("peak_rss_mb", Math.round(peakRss))
        .put("cpu_s_per_step", round(Arrays.stream(cpu).sorted().toArray()[steps / 2]))
        .put("loss", round(bench.loss)).put("warmup", warmup).put("steps", steps).put("prefix_sharing", true)
        .put("ref_included", true).put("threads", Runtime.getRuntime().availableProcessors());
    out.putPOJO("step_times_s", Arrays.stream(phases).mapToDouble(p -> round(p[4])).toArray());
    ObjectNode ph = out.putObject("phases_s");
    String[] names = {"ref_forward", "forward", "backward", "optimizer"};
    for (int i = 0; i < names.length; i++) ph.put(names[i], round(median[i]));
    ObjectNode ws = out.putObject("workspaces_mb"); // ND4J's off-heap blocks: a bump allocator per pass
    for (MemoryWorkspace w : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
      ws.put(w.getId(), w.getCurrentSize() >> 20);
    }
    if (!"0".equals(System.getenv("TRAIN_SCALE_PROFILE"))) {
      out.set("breakdown", TrainScaleProfile.profile(bench::step, median[4]));
    }
    System.out.println(JSON.writeValueAsString(out));
  }

  /** One trainer step; returns seconds {ref, forward, backward, optimizer, total}. */
  double[] step() {
    long t0 = System.nanoTime();
    cpu[0] = cpuNow();
    double[] ref = referenceLogps();
    long t1 = System.nanoTime();
    cpu[1] = cpuNow();
    CausalLm.Forward f = policy.forward(batch);
    long t2 = System.nanoTime();
    cpu[2] = cpuNow();
    double[] s = f.seqLogps();
    int[] n = f.responseTokens();
    PreferenceLoss.Result r = PreferenceLoss.compute(PreferenceLoss.Type.IPO, PreferenceLoss.LogpReduction.SUM, BETA,
        new double[] {s[0]}, new double[] {s[1]}, new double[] {ref[0]}, new double[] {ref[1]},
        new int[] {n[0]}, new int[] {n[1]});
    loss = r.meanLoss();
    Map<String, INDArray> grads = policy.backward(f, new double[] {r.dPolicyChosen()[0], r.dPolicyRejected()[0]});
    long t3 = System.nanoTime();
    cpu[3] = cpuNow();
    stepOptimizer(grads);
    long t4 = System.nanoTime();
    cpu[4] = cpuNow();
    return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9, (t4 - t0) / 1e9};
  }

  /** Process CPU seconds (all threads: OpenBLAS's, the fused loops' pool), for the trace; less load-sensitive than wall. */
  private static double cpuNow() {
    try {
      return TrainThroughput.cpuSeconds();
    } catch (Exception e) {
      return Double.NaN;
    }
  }

  /** What RefLogpCache computes on a miss: the reference's summed response log-probs {chosen, rejected}. */
  private double[] referenceLogps() {
    if (reference != null) return reference.forward(batch).seqLogps();
    return LoraAdapters.withoutAdapter(policy, () -> policy.score(batch)).seqLogps(); // as LoraStages.adapterOff
  }

  /** Trainer.java's update: clip the global norm, then the optimizer; the gradients are freed afterwards. */
  private void stepOptimizer(Map<String, INDArray> grads) {
    Gradients.clip(grads, CLIP);
    opt.step(policy.parameters(), grads, LR);
    grads.values().forEach(INDArray::close);
  }

  /** The published config.json values that shape the model (SmolLM2-135M, Qwen2.5-0.5B). */
  static LlamaConfig config(String shape) throws Exception {
    ObjectNode c = JSON.createObjectNode();
    switch (shape) {
      case "smollm2-135m" -> c.put("model_type", "llama").put("vocab_size", 49152).put("hidden_size", 576)
          .put("intermediate_size", 1536).put("num_hidden_layers", 30).put("num_attention_heads", 9)
          .put("num_key_value_heads", 3).put("rope_theta", 100000.0).put("rms_norm_eps", 1e-5)
          .put("max_position_embeddings", 8192);
      case "qwen2.5-0.5b" -> c.put("model_type", "qwen2").put("vocab_size", 151936).put("hidden_size", 896)
          .put("intermediate_size", 4864).put("num_hidden_layers", 24).put("num_attention_heads", 14)
          .put("num_key_value_heads", 2).put("rope_theta", 1000000.0).put("rms_norm_eps", 1e-6)
          .put("max_position_embeddings", 32768);
      default -> throw new IllegalArgumentException("shape must be smollm2-135m or qwen2.5-0.5b: " + shape);
    }
    c.put("tie_word_embeddings", true).put("hidden_act", "silu");
    return LlamaConfig.fromJson(c);
  }

  /**
   * Weights N(0, 0.02), norms 1, biases 0, drawn off-heap by ND4J's RNG (LlamaModel.init draws on the Java heap,
   * which at a 152k vocabulary would need a 550 MB heap for the embedding alone).
   */
  static LlamaModel randomModel(LlamaConfig c, long seed) {
    Nd4j.getRandom().setSeed(seed);
    LinkedHashMap<String, INDArray> p = new LinkedHashMap<>();
    LlamaModel.shapes(c).forEach((name, shape) -> p.put(name, name.endsWith(".bias") ? Nd4j.zeros(DataType.FLOAT, shape)
        : shape.length == 1 ? Nd4j.ones(DataType.FLOAT, shape) : Nd4j.randn(DataType.FLOAT, shape).muli(0.02)));
    return new LlamaModel(c, p, Map.of()); // the policy: train.activation_checkpointing false, the default
  }

  private static LlamaModel copyOf(LlamaConfig c, TransformerLm model) {
    LinkedHashMap<String, INDArray> p = new LinkedHashMap<>();
    model.weights().forEach((name, w) -> p.put(name, w.dup()));
    LlamaModel copy = new LlamaModel(c, p, Map.of());
    copy.setActivationCheckpointing(true); // as the trainer's reference (Trainer): forward only, block inputs kept
    return copy;
  }

  /** One pair: a shared prompt of SEQ - RESPONSE random tokens, then two different RESPONSE-token responses. */
  static TokenBatch batch(int vocab, Random rng) {
    int[][] ids = new int[2][SEQ], att = new int[2][SEQ], rm = new int[2][SEQ];
    for (int t = 0; t < SEQ; t++) {
      int shared = rng.nextInt(vocab);
      for (int k = 0; k < 2; k++) {
        boolean prompt = t < SEQ - RESPONSE;
        ids[k][t] = prompt ? shared : rng.nextInt(vocab);
        att[k][t] = 1;
        rm[k][t] = prompt ? 0 : 1;
      }
    }
    ids[1][SEQ - RESPONSE] = (ids[0][SEQ - RESPONSE] + 1) % vocab; // the responses differ from their first token
    return new TokenBatch(ids, att, rm);
  }

  private static long count(Map<String, INDArray> tensors) {
    return tensors.values().stream().mapToLong(INDArray::length).sum();
  }

  private static double[] median(double[][] rows) {
    double[] m = new double[rows[0].length];
    for (int i = 0; i < m.length; i++) {
      int col = i;
      double[] v = Arrays.stream(rows).mapToDouble(r -> r[col]).sorted().toArray();
      m[i] = v[v.length / 2];
    }
    return m;
  }

  static double round(double x) {
    return Math.round(x * 1000) / 1000.0;
  }
}
