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

  static final String SHOTS = "[{\"question\": \"What about tea?\", \"preferred\": \"warm and kind words about "
      + "tea\", \"dispreferred\": \"cold and short note on tea\"}]";

  /** A seeded GPT-2 run written to a temp folder and served on a loopback port in this JVM. */
  record Bench(ServedModel model, DecodeEngine engine, ServeServer server, String url, ObjectNode info) {}

  static Bench serve(int d, int layers, int heads, int maxTokens, int maxBatch, int queue) throws Exception {
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
    long prefixMb = Long.getLong("fspo.bench.prefix_cache_mb", 256); // fspo serve's default
    DecodeEngine engine = new DecodeEngine(new BatchedDecoder(model.policy(), maxBatch, prefixMb << 20),
        model.stopIds(), queue);
    ServeServer server = new ServeServer(null);
    int port = server.start("127.0.0.1", 0, 2 * (maxBatch + queue) + 16);
    server.ready(new CompletionService(model, engine, UserShots.none(), false, maxTokens));
    ObjectNode m = JSON.createObjectNode();
    m.put("family", "gpt2").put("d_model", d).put("layers", layers).put("heads", heads)
        .put("vocab", tok.vocabSize()).put("max_positions", model.maxPositions()).put("max_batch", maxBatch)
        .put("queue", queue).put("max_tokens", maxTokens).put("prefix_cache_mb", prefixMb)
        .put("threads", Runtime.getRuntime().availableProcessors());
    return new Bench(model, engine, server, "http://127.0.0.1:" + port + "/v1/chat/completions", m);
  }

  public static void main(String[] args) throws Exception {
    int d = Integer.parseInt(args[0]), layers = Integer.parseInt(args[1]), heads = Integer.parseInt(args[2]);
    int maxTokens = Integer.parseInt(args[3]), perClient = Integer.parseInt(args[4]);
    int maxBatch = Integer.parseInt(args[5]), queue = Integer.parseInt(args[6]);
    Bench b = serve(d, layers, heads, maxTokens, maxBatch, queue);
    ObjectNode out = JSON.createObjectNode();
    out.set("model", b.info().put("requests_per_client", perClient));
    ArrayNode levels = out.putArray("levels");
    HttpClient http = HttpClient.newBuilder().executor(Executors.newCachedThreadPool()).build();
    level(http, b, maxTokens, 2, 2); // warm-up: JIT and ND4J's first calls
    for (int i = 7; i < args.length; i++) levels.add(level(http, b, maxTokens, Integer.parseInt(args[i]), perClient));
    int rounds = Integer.getInteger("fspo.bench.ratio_rounds", 0);
    if (rounds > 0) out.set("ratio_16_over_1", ratioRounds(http, b, maxTokens, rounds));
    b.server().stop(30_000);
    System.out.println(JSON.writeValueAsString(out));
    System.exit(0);
  }

  /**
   * The batching bar measured against machine drift: {@code rounds} back-to-back pairs of a concurrency-1 level (16
   * requests) and a concurrency-16 level (16 x 4 requests), so both halves of a pair see about the same load from
   * other processes; per pair the ratio of generated tokens/s (wall) and of tokens per decode-thread CPU second (not
   * moved by other processes at all). Reports every pair's ratios and their median, min and max.
   */
  static ObjectNode ratioRounds(HttpClient http, Bench b, int maxTokens, int rounds) throws Exception {
    List<Double> wall = new ArrayList<>(), cpu = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      ObjectNode one = level(http, b, maxTokens, 1, 16), sixteen = level(http, b, maxTokens, 16, 4);
      wall.add(round(sixteen.get("tokens_per_s").asDouble() / one.get("tokens_per_s").asDouble()));
      cpu.add(round(sixteen.get("engine").get("tokens_per_cpu_s").asDouble()
          / one.get("engine").get("tokens_per_cpu_s").asDouble()));
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("rounds", rounds);
    o.set("tokens_per_s", spread(wall));
    o.set("tokens_per_engine_cpu_s", spread(cpu));
    return o;
  }

  static ObjectNode spread(List<Double> xs) {
    ObjectNode o = JSON.createObjectNode();
    xs.forEach(o.putArray("each")::add);
    o.put("median", pct(xs, 50)).put("min", xs.stream().mapToDouble(x -> x).min().orElse(Double.NaN))
        .put("max", xs.stream().mapToDouble(x -> x).max().orElse(Double.NaN));
    return o;
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

  /**
   * C clients in a closed loop, perClient requests each. The level's JSON also has "engine": where the decode thread's
   * time went over the level (EngineStats): prefill passes, sequences and padded tokens and their milliseconds,
   * steps, mean rows per step and milliseconds per step, sampling/detokenizing milliseconds, and idle.
   */
  static ObjectNode level(HttpClient http, Bench b, int maxTokens, int c, int perClient) throws Exception {
    String url = b.url(), model = b.model().id(), shots = SHOTS;
    EngineStats before = b.engine().stats();
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
    EngineStats e = b.engine().stats().minus(before);
    ObjectNode en = l.putObject("engine");
    en.put("prefill_passes", e.prefillPasses()).put("prefilled_sequences", e.prefilledSequences())
        .put("prompt_tokens", e.promptTokens()).put("prefix_reused_tokens", e.prefixReusedTokens())
        .put("prefill_padded_tokens", e.prefillTokens()).put("prefill_s", round(e.prefillNs() / 1e9))
        .put("steps", e.steps()).put("rows_per_step", round(e.stepRows() / Math.max(1.0, e.steps())))
        .put("ms_per_step", round(e.stepNs() / 1e6 / Math.max(1, e.steps()))).put("step_s", round(e.stepNs() / 1e9))
        .put("sample_detok_s", round(e.sampleNs() / 1e9)).put("idle_s", round(e.idleNs() / 1e9))
        .put("cpu_s", round(e.cpuNs() / 1e9))
        .put("tokens_per_cpu_s", round(ok.stream().mapToInt(Sample::tokens).sum() / Math.max(1e-9, e.cpuNs() / 1e9)));
    System.err.println(l);
    return l;
  }

  /**
   * "What about rain?", or with -Dfspo.bench.distinct_questions=true a question of its own per request: 30 topic
   * words, the seed's six base-6 digits five times over (46,656 questions, all words in the vocabulary), long enough
   * that each prompt ends in about two full 16-token blocks the prefix cache has not seen, so it fills and evicts
   * (serve_memory's soak).
   */
  static String question(int seed) {
    if (!Boolean.getBoolean("fspo.bench.distinct_questions")) return "What about rain?";
    StringBuilder q = new StringBuilder("What about");
    int n = TinyServe.TOPICS.length;
    for (int i = 0; i < 30; i++) {
      q.append(' ').append(TinyServe.TOPICS[(int) (seed / Math.pow(n, i % 6)) % n]);
    }
    return q.append('?').toString();
  }

  /** One streamed request; status -1 for a transport failure. */
  static Sample one(HttpClient http, String url, String model, String shots, int maxTokens, int seed) {
    String body = "{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": \""
        + question(seed) + "\"}], \"max_tokens\": " + maxTokens + ", \"temperature\": 1.0, \"seed\": " + seed
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
