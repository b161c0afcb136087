package org.fspo.train.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * "Where the time goes" for {@link TrainScale}, without touching the model code: one extra step runs under Java
 * Flight Recorder's stack sampling (jdk.ExecutionSample for Java code, jdk.NativeMethodSample for code in native
 * calls: OpenBLAS, libnd4j), and each sample of the thread that runs the step is put in one category by the frames of
 * its stack, outermost context first:
 *
 * <ul>
 *   <li>optimizer: any frame in org.fspo.train.optim (Gradients.clip, AdamW);
 *   <li>lm_head: any frame in model.LogProbHead (scored-row gather, head matmul, fused log-softmax, their backward);
 *   <li>attention: any frame in model.Attention (q k^T, mask + softmax, p v, their backward; not RoPE or head
 *       split/merge);
 *   <li>matmul: any frame in Ops.mm / Ops.linear / Ops.conv1d outside the above: the block projections and the LoRA
 *       products, forward and backward;
 *   <li>other: the rest (RMSNorm, RoPE, SiLU, residual adds, head split/merge, embedding, workspaces).
 * </ul>
 *
 * Shares of the samples are scaled to the median step time of the unprofiled steps. Samples of other threads (the
 * ForkJoin worker of the fused Java kernels) are not counted: they run beside the main thread, not after it.
 * "other_top" lists the innermost project frames of the "other" samples, the candidates for the next optimisation.
 */
final class TrainScaleProfile {
  private static final Duration PERIOD = Duration.ofMillis(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainScaleProfile() {}

  static ObjectNode profile(Runnable step, double stepSeconds) throws Exception {
    Path file = Files.createTempFile("train-scale", ".jfr");
    String thread = Thread.currentThread().getName();
    long start = System.nanoTime();
    try (Recording r = new Recording()) {
      r.enable("jdk.ExecutionSample").withPeriod(PERIOD);
      r.enable("jdk.NativeMethodSample").withPeriod(PERIOD);
      r.start();
      step.run();
      r.stop();
      r.dump(file);
    }
    double profiled = (System.nanoTime() - start) / 1e9;
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String c : List.of("matmul", "attention", "lm_head", "optimizer", "other")) counts.put(c, 0);
    Map<String, Integer> otherTop = new TreeMap<>();
    int total = 0;
    try {
      for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
        RecordedThread t = e.getThread("sampledThread");
        if (t == null || !thread.equals(t.getJavaName()) || e.getStackTrace() == null) continue;
        String c = category(e.getStackTrace());
        counts.merge(c, 1, Integer::sum);
        if (c.equals("other")) otherTop.merge(innermostProjectFrame(e.getStackTrace()), 1, Integer::sum);
        total++;
      }
    } finally {
      Files.deleteIfExists(file);
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("method", "JFR stack sampling of one extra step, main thread, " + PERIOD.toMillis() + " ms period; "
        + "shares scaled to the median step");
    out.put("samples", total).put("profiled_step_s", TrainScale.round(profiled));
    ObjectNode secs = out.putObject("seconds"), shares = out.putObject("share");
    for (Map.Entry<String, Integer> c : counts.entrySet()) {
      double share = total == 0 ? 0 : c.getValue() / (double) total;
      secs.put(c.getKey(), TrainScale.round(share * stepSeconds));
      shares.put(c.getKey(), TrainScale.round(share));
    }
    ObjectNode top = out.putObject("other_top");
    int n = Math.max(1, total);
    otherTop.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(8)
        .forEach(en -> top.put(en.getKey(), TrainScale.round(en.getValue() / (double) n)));
    return out;
  }

  /** The category of one sample (class comment); frames run from the innermost call outwards. */
  static String category(RecordedStackTrace st) {
    boolean mm = false, head = false, attention = false;
    for (RecordedFrame f : st.getFrames()) {
      String cls = f.getMethod().getType().getName(), m = f.getMethod().getName();
      if (cls.startsWith("org.fspo.train.optim.")) return "optimizer";
      if (cls.equals("org.fspo.train.model.LogProbHead")) head = true;
      if (cls.equals("org.fspo.train.model.Attention")) attention = true;
      if (cls.equals("org.fspo.train.model.Ops") && (m.equals("mm") || m.equals("linear") || m.equals("conv1d"))) {
        mm = true;
      }
    }
    return head ? "lm_head" : attention ? "attention" : mm ? "matmul" : "other";
  }

  /** The first frame (from the innermost) in org.fspo code, as Class.method; "native/nd4j" if none. */
  private static String innermostProjectFrame(RecordedStackTrace st) {
    for (RecordedFrame f : st.getFrames()) {
      String cls = f.getMethod().getType().getName();
      if (cls.startsWith("org.fspo.") && !cls.startsWith("org.fspo.train.bench.")) {
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
      }
    }
    return "(no project frame)";
  }
}
