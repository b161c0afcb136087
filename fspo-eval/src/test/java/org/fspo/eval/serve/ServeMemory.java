package org.fspo.eval.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.util.concurrent.Executors;

/**
 * The memory soak of scripts/bench/serve_memory (not a test): the bench server of {@link ServeThroughput}, then
 * TOTAL streamed requests at concurrency C in rounds of EVERY requests; after each round, a full GC and a short pause
 * (so ND4J's and JavaCPP's deallocator threads free what the GC found), then one sample: process RSS, heap used and
 * committed, and the engine's load (0: nothing left queued or running). Prints one JSON line.
 *
 * <p>"Flat" is defined against the sample after warm-up (the WARMUP_ROUNDS-th): every later sample's RSS within 10%
 * of it (the JVM heap is fixed with -Xms = -Xmx and pre-touched, so RSS growth is native or metaspace growth: ND4J
 * arrays, KV caches, workspaces, threads), and its heap used within 10% or 8 MB of it, whichever is larger (a few MB
 * of JIT and pool noise on a heap of tens of MB), and nothing left in the engine. args: D_MODEL LAYERS HEADS MAX_TOKENS C TOTAL EVERY WARMUP_ROUNDS
 */
public final class ServeMemory {
  public static void main(String[] args) throws Exception {
    int d = Integer.parseInt(args[0]), layers = Integer.parseInt(args[1]), heads = Integer.parseInt(args[2]);
    int maxTokens = Integer.parseInt(args[3]), c = Integer.parseInt(args[4]);
    int total = Integer.parseInt(args[5]), every = Integer.parseInt(args[6]), warmup = Integer.parseInt(args[7]);
    ServeThroughput.Bench b = ServeThroughput.serve(d, layers, heads, maxTokens, 64, 64);
    HttpClient http = HttpClient.newBuilder().executor(Executors.newCachedThreadPool()).build();
    ObjectNode out = ServeThroughput.JSON.createObjectNode();
    out.set("model", b.info());
    out.put("concurrency", c).put("requests_planned", total).put("sample_every", every)
        .put("jvm", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    ArrayNode samples = out.putArray("samples");
    samples.add(sample(0, b, 0));
    int done = 0, errors = 0;
    long t0 = System.nanoTime();
    while (done < total) {
      int n = Math.min(every, total - done);
      ObjectNode l = ServeThroughput.level(http, b, maxTokens, c, Math.max(1, n / c));
      done += l.get("requests").asInt();
      errors += l.get("errors").asInt() + l.get("rejected_429").asInt();
      samples.add(sample(done, b, l.get("rps").asDouble()));
    }
    out.put("requests", done).put("errors", errors).put("wall_s", ServeThroughput.round((System.nanoTime() - t0) / 1e9));
    verdict(out, samples, warmup);
    b.server().stop(30_000);
    System.out.println(ServeThroughput.JSON.writeValueAsString(out));
    System.exit(0);
  }

  static ObjectNode sample(int requests, ServeThroughput.Bench b, double rps) throws Exception {
    System.gc();
    Thread.sleep(500); // ND4J's DeallocatorService and JavaCPP's deallocator free the arrays the GC found dead
    System.gc();
    Runtime rt = Runtime.getRuntime();
    ObjectNode s = ServeThroughput.JSON.createObjectNode();
    s.put("requests", requests).put("rss_mb", ServeThroughput.rssMb())
        .put("heap_used_mb", ServeThroughput.round((rt.totalMemory() - rt.freeMemory()) / 1048576.0))
        .put("heap_committed_mb", ServeThroughput.round(rt.totalMemory() / 1048576.0))
        .put("engine_load", b.engine().load()).put("round_rps", rps)
        .put("prefix_cache_blocks", b.engine().prefixStats().blocks())
        .put("prefix_cache_mb", ServeThroughput.round(b.engine().prefixStats().bytes() / 1048576.0))
        .put("prefix_cache_evicted", b.engine().prefixStats().evicted());
    System.err.println(s);
    return s;
  }

  /** {"flat": {"baseline_requests", "rss_growth_pct", "heap_growth_mb", "rule", "pass"}}. */
  static void verdict(ObjectNode out, ArrayNode samples, int warmup) {
    JsonSample base = new JsonSample((ObjectNode) samples.get(Math.min(warmup, samples.size() - 1)));
    double rss = 0, heap = 0;
    boolean pass = true;
    for (int i = warmup + 1; i < samples.size(); i++) {
      JsonSample s = new JsonSample((ObjectNode) samples.get(i));
      rss = Math.max(rss, s.rss() / base.rss() - 1);
      heap = Math.max(heap, s.heap() - base.heap());
      pass &= s.rss() <= 1.10 * base.rss() && s.heap() <= base.heap() + Math.max(8, 0.10 * base.heap())
          && s.load() == 0;
    }
    ObjectNode f = out.putObject("flat");
    f.put("baseline_requests", base.requests()).put("rss_growth_pct", ServeThroughput.round(100 * rss))
        .put("heap_growth_mb", ServeThroughput.round(heap))
        .put("rule", "every sample after the baseline: rss <= 1.10 x baseline rss, heap used <= baseline + max(8 MB, "
            + "10%), engine load 0")
        .put("pass", pass && samples.size() > warmup + 1);
  }

  private record JsonSample(int requests, double rss, double heap, int load) {
    JsonSample(ObjectNode n) {
      this(n.get("requests").asInt(), n.get("rss_mb").asDouble(), n.get("heap_used_mb").asDouble(),
          n.get("engine_load").asInt());
    }
  }
}
