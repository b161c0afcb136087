package org.fspo.eval.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.fspo.train.loop.ScratchModel;
import org.fspo.train.loop.TrainConfig;
import org.fspo.train.model.BatchedDecoder;
import org.fspo.train.tokenizer.WordLevelTokenizer;

/**
 * The load generator of scripts/bench/serve_throughput (not a test): a seeded GPT-2 run made here, fspo serve on a
 * loopback port in this JVM, and a closed loop of C clients (each sends its next request when the last one ends) at
 * each concurrency level, streaming, with fixed prompts and max_tokens; prints one JSON line.
 *
 * <p>args: D_MODEL LAYERS HEADS MAX_TOKENS REQUESTS_PER_CLIENT MAX_BATCH QUEUE LEVEL...
 * TTFT is the time to the first chunk with text (or to the end, for an empty answer); latency to [DONE];
 * tokens/s counts usage.completion_tokens of the level's successful requests over the level's wall time.
 */
public final class ServeThroughput {
  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int d = Integer.parseInt(args[0]), layers = Integer.parseInt(args[1]), heads = Integer.parseInt(args[2]);
    int maxTokens = Integer.parseInt(args[3]), perClient = Integer.parseInt(args[4]);
    int maxBatch = Integer.parseInt(args[5]), queue = Integer.parseInt(args[6]);
    Path dir = Files.createTempDirectory("serve-bench");
    List<String> texts = new ArrayList<>();
    for (var p : TinyServe.pairs()) texts.addAll(List.of(p.prompt(), p.chosen(), p.rejected()));
    WordLevelTokenizer tok = WordLevelTokenizer.build(texts, 1000, 1);
    TrainConfig config = TrainConfig.load(null, List.of("model.family=gpt2", "model.d_model=" + d,
        "model.layers=" + layers, "model.heads=" + heads, "model.max_seq_len=512", "seed=7"));
    Path run = Files.createDirectories(dir.resolve("bench-run"));
    ScratchModel.create(config.model(), tok.vocabSize(), tok.eosId(), 7).save(run.resolve("final"));
    ScratchModel.create(config.model(), tok.vocabSize(), tok.eosId(), 8).save(run.resolve("sft"));
    tok.save(run.resolve("tokenizer.json"));
    Files.writeString(run.resolve("config.yaml"), config.toYaml());

    ServedModel model = ServedModel.load(run, "fspo");
    DecodeEngine engine = new DecodeEngine(new BatchedDecoder(model.policy(), maxBatch), model.stopIds(), queue);
    ServeServer server = new ServeServer(null);
    int port = server.start("127.0.0.1", 0, 2 * (maxBatch + queue) + 16);
    server.ready(new CompletionService(model, engine, UserShots.none(), false, maxTokens));
    String url = "http://127.0.0.1:" + port + "/v1/chat/completions";
    String shots = "[{\"question\": \"What about tea?\", \"preferred\": \"warm and kind words about tea\", "
        + "\"dispreferred\": \"cold and short note on tea\"}]";

    ObjectNode out = JSON.createObjectNode();
    ObjectNode m = out.putObject("model");
    m.put("family", "gpt2").put("d_model", d).put("layers", layers).put("heads", heads)
        .put("vocab", tok.vocabSize()).put("max_positions", model.maxPositions()).put("max_batch", maxBatch)
        .put("queue", queue).put("max_tokens", maxTokens).put("requests_per_client", perClient)
        .put("threads", Runtime.getRuntime().availableProcessors());
    ArrayNode levels = out.putArray("levels");
    HttpClient http = HttpClient.newBuilder().executor(Executors.newCachedThreadPool()).build();
    level(http, url, model.id(), shots, maxTokens, 2, 2); // warm-up: JIT and ND4J's first calls
    for (int i = 7; i < args.length; i++) {
      levels.add(level(http, url, model.id(), shots, maxTokens, Integer.parseInt(args[i]), perClient));
    }
    int soak = Integer.getInteger("fspo.bench.soak", 0);
    if (soak > 0) out.set("soak", soak(http, url, model.id(), shots, soak));
    server.stop(30_000);
    System.out.println(JSON.writeValueAsString(out));
    System.exit(0);
  }

  /**
   * Memory over many requests: {@code requests} short streamed requests (max_tokens 4) at concurrency 16, with the
   * process RSS and the heap after a GC taken after the first 10% and at the end.
   */
  static ObjectNode soak(HttpClient http, String url, String model, String shots, int requests) throws Exception {
    ObjectNode s = JSON.createObjectNode();
    int first = Math.max(1, requests / 10);
    ObjectNode a = level(http, url, model, shots, 4, 16, Math.max(1, first / 16));
    s.put("rss_mb_after_10pct", rssMb()).put("heap_mb_after_10pct", heapMb());
    ObjectNode b = level(http, url, model, shots, 4, 16, Math.max(1, (requests - first) / 16));
    s.put("rss_mb_end", rssMb()).put("heap_mb_end", heapMb());
    s.put("requests", a.get("requests").asInt() + b.get("requests").asInt());
    s.put("errors", a.get("errors").asInt() + b.get("errors").asInt());
    s.put("rps", b.get("rps").asDouble());
    return s;
  }

  static double rssMb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) return round(Long.parseLong(line.replaceAll("\\D", "")) / 1024.0);
    }
    return Double.NaN;
  }

  static double heapMb() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return round((rt.totalMemory() - rt.freeMemory()) / 1048576.0);
  }

  record Sample(int status, double ttftMs, double latencyMs, int tokens) {}

  static ObjectNode level(HttpClient http, String url, String model, String shots, int maxTokens, int c,
      int perClient) throws Exception {
    List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger seq = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(c);
    long t0 = System.nanoTime();
    for (int k = 0; k < c; k++) {
      clients.submit(() -> {
        for (int r = 0; r < perClient; r++) samples.add(one(http, url, model, shots, maxTokens, seq.getAndIncrement()));
        return null;
      });
    }
    clients.shutdown();
    clients.awaitTermination(1, java.util.concurrent.TimeUnit.HOURS);
    double wall = (System.nanoTime() - t0) / 1e9;
    List<Sample> ok = samples.stream().filter(s -> s.status() == 200).toList();
    ObjectNode l = JSON.createObjectNode();
    l.put("concurrency", c).put("requests", samples.size());
    l.put("errors", samples.stream().filter(s -> s.status() != 200 && s.status() != 429).count());
    l.put("rejected_429", samples.stream().filter(s -> s.status() == 429).count());
    l.put("rps", round(ok.size() / wall));
    l.put("tokens_per_s", round(ok.stream().mapToInt(Sample::tokens).sum() / wall));
    l.put("ttft_p50_ms", round(pct(ok.stream().map(Sample::ttftMs).toList(), 50)));
    l.put("ttft_p99_ms", round(pct(ok.stream().map(Sample::ttftMs).toList(), 99)));
    l.put("latency_p50_ms", round(pct(ok.stream().map(Sample::latencyMs).toList(), 50)));
    l.put("latency_p99_ms", round(pct(ok.stream().map(Sample::latencyMs).toList(), 99)));
    l.put("mean_completion_tokens", round(ok.stream().mapToInt(Sample::tokens).average().orElse(0)));
    l.put("wall_s", round(wall));
    System.err.println(l);
    return l;
  }

  /** One streamed request; status -1 for a transport failure. */
  static Sample one(HttpClient http, String url, String model, String shots, int maxTokens, int seed) {
    String body = "{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": \"What about "
        + "rain?\"}], \"max_tokens\": " + maxTokens + ", \"temperature\": 1.0, \"seed\": " + seed
        + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}, \"fspo_shots\": " + shots + "}";
    long t0 = System.nanoTime();
    try {
      HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(URI.create(url))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
      if (r.statusCode() != 200) {
        r.body().close();
        return new Sample(r.statusCode(), 0, 0, 0);
      }
      double[] ttft = {-1};
      int[] tokens = {0};
      r.body().forEach(line -> { // string tests, not a JSON parse per chunk: the client shares the server's cores
        if (!line.startsWith("data: {")) return;
        if (ttft[0] < 0 && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
          ttft[0] = (System.nanoTime() - t0) / 1e6;
        }
        if (line.contains("\"usage\":{")) {
          try {
            tokens[0] = JSON.readTree(line.substring(6)).get("usage").get("completion_tokens").asInt();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      });
      double latency = (System.nanoTime() - t0) / 1e6;
      return new Sample(200, ttft[0] < 0 ? latency : ttft[0], latency, tokens[0]);
    } catch (Exception e) {
      return new Sample(-1, 0, 0, 0);
    }
  }

  static double pct(List<Double> xs, int p) {
    if (xs.isEmpty()) return Double.NaN;
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
  }

  static double round(double x) {
    return Math.round(x * 10) / 10.0;
  }
}
