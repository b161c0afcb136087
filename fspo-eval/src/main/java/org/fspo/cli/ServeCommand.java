package org.fspo.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.PreferencePair;
import org.fspo.eval.serve.CompletionService;
import org.fspo.eval.serve.DecodeEngine;
import org.fspo.eval.serve.ServeServer;
import org.fspo.eval.serve.ServedModel;
import org.fspo.eval.serve.ShotPolicy;
import org.fspo.eval.serve.UserShots;
import org.fspo.synth.store.EpisodeStore;
import org.fspo.train.model.BatchedDecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fspo serve}: one method of a trained run behind an OpenAI-compatible HTTP API, personalized per request by
 * a stored user's pairs or by shots in the request (docs/serve.md). Binds first (503 while loading), prints the URL
 * and the model id once the model is loaded, and runs until SIGTERM/Ctrl-C, which drains in-flight requests.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve a trained run over the OpenAI API (/v1/chat/completions, /v1/completions, /v1/models,"
        + " /health), with per-request personalization and continuous batching.")
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin VerbosityMixin verbosity;
  @Mixin SparkMixin sparkOptions;

  @Option(names = "--run", paramLabel = "RUN_DIR", required = true,
      description = "Trained run folder, or a folder of runs by method (as fspo eval reads).")
  Path run;

  @Option(names = "--method", defaultValue = "fspo",
      description = "Method to serve: fspo, fspo_cot (writes a user description, returned apart, then its response), "
          + "pref_ft, population or oracle (prompted with a user description). Default: ${DEFAULT-VALUE}.")
  String method;

  @Option(names = "--episodes", paramLabel = "STORE",
      description = "Episode store whose users a request's `user` names; their stored pairs become the shots "
          + "(the oracle: their stored description).")
  Path episodes;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind. Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--port", defaultValue = "8000", description = "Port (0: any free one). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--api-key-env", paramLabel = "NAME",
      description = "Require `Authorization: Bearer KEY`, KEY read from this environment variable.")
  String apiKeyEnv;

  @Option(names = "--max-batch", defaultValue = "16",
      description = "Sequences decoded together per step (KV cache slots). Default: ${DEFAULT-VALUE}.")
  int maxBatch;

  @Option(names = "--queue", defaultValue = "64",
      description = "Sequences that may wait for a slot; beyond it requests get 429. Default: ${DEFAULT-VALUE}.")
  int queue;

  @Option(names = "--prefill-tokens", defaultValue = "" + DecodeEngine.PREFILL_TOKENS,
      description = "Prompt tokens (padded) prefilled together between two decode steps; more arrivals wait for the"
          + " next step, so running requests keep streaming. Default: ${DEFAULT-VALUE}.")
  int prefillTokens;

  @Option(names = "--prefix-cache-mb", defaultValue = "256",
      description = "Memory for the keys and values of prompt prefixes already computed (a user's shots repeat from"
          + " request to request), reused instead of recomputed; 0 turns it off. Default: ${DEFAULT-VALUE}.")
  int prefixCacheMb;

  @Option(names = "--max-tokens", defaultValue = "256",
      description = "max_tokens of a request that sends none. Default: ${DEFAULT-VALUE}.")
  int maxTokens;

  @Option(names = "--shots-from", defaultValue = "RECENT",
      description = "Which stored pairs of a user become shots: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  ShotPolicy shotPolicy;

  @Option(names = "--shots", defaultValue = "4", description = "Shots for RECENT and RANDOM. Default: ${DEFAULT-VALUE}.")
  int shots;

  @Option(names = "--shot-seed", defaultValue = "0", description = "Seed of RANDOM. Default: ${DEFAULT-VALUE}.")
  long shotSeed;

  @Option(names = "--shot-budget", defaultValue = "512",
      description = "Token budget of BUDGET's shots. Default: ${DEFAULT-VALUE}.")
  int shotBudget;

  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile ServeServer running;
  volatile int boundPort; // for tests: the port bound, once serving

  @Override
  public Integer call() throws Exception {
    if (maxBatch < 1 || queue < 1 || maxTokens < 1 || prefillTokens < 1 || shots < 0 || shotBudget < 0
        || prefixCacheMb < 0 || port < 0 || port > 65535) {
      throw new FspoUserException("--max-batch, --queue, --prefill-tokens and --max-tokens must be >= 1, --shots,"
          + " --shot-budget and --prefix-cache-mb >= 0, --port in 0..65535", FspoUserException.USAGE);
    }
    long heapMb = Runtime.getRuntime().maxMemory() >> 20;
    if (prefixCacheMb > heapMb / 2) { // the cache's blocks are Java arrays: past half the heap, requests would fail
      throw new FspoUserException("--prefix-cache-mb " + prefixCacheMb + " is more than half the JVM heap ("
          + heapMb + " MB); lower it, or raise the heap with FSPO_JAVA_OPTS=-Xmx...", FspoUserException.USAGE);
    }
    String key = apiKey();
    ServedModel.check(run, method); // bad input fails here, in one line, before anything binds or loads
    if (episodes != null && !java.nio.file.Files.isDirectory(episodes)) {
      throw new FspoUserException("--episodes " + episodes + ": no such episode store folder; import or synthesize"
          + " one first (fspo import / fspo synth)", FspoUserException.NO_INPUT);
    }
    PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
    ServeServer server = new ServeServer(key);
    int bound = server.start(host, port, Math.max(32, 2 * (maxBatch + queue)));
    err.println("listening on http://" + host + ":" + bound + " (503 until the model is loaded)");
    err.flush();
    CompletionService service;
    try {
      UserShots users = episodes == null ? UserShots.none()
          : new UserShots(loadPairs(), shotPolicy, shots, shotSeed, shotBudget);
      ServedModel model = ServedModel.load(run, method);
      BatchedDecoder decoder = new BatchedDecoder(model.policy(), maxBatch, prefixCacheMb * (1L << 20));
      DecodeEngine engine = new DecodeEngine(decoder, model.stopIds(), queue, prefillTokens);
      service = new CompletionService(model, engine, users, episodes != null, maxTokens);
      if (episodes != null) err.println(users.users() + " users in " + episodes + ", shots: " + shotPolicy);
    } catch (RuntimeException | java.io.IOException e) {
      server.stop(0);
      throw e;
    }
    server.ready(service);
    Thread hook = new Thread(this::shutdown, "fspo-serve-shutdown"); // SIGTERM, Ctrl-C
    Runtime.getRuntime().addShutdownHook(hook);
    running = server;
    boundPort = bound;
    out.println("serving " + service.model().id() + " at http://" + host + ":" + bound + "/v1"
        + (key == null ? "" : " (API key from $" + apiKeyEnv + ")"));
    out.flush();
    stopped.await();
    server.stop(60_000); // no-op when shutdown() already stopped it
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException jvmExiting) {
      // the hook is what stopped us
    }
    return 0;
  }

  /** Drains and stops the server: queued and running requests finish first. Idempotent. */
  synchronized void shutdown() {
    if (running != null && stopped.getCount() > 0) {
      try {
        running.stop(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    stopped.countDown();
  }

  private String apiKey() {
    if (apiKeyEnv == null) return null;
    String key = System.getenv(apiKeyEnv);
    if (key == null || key.isBlank()) {
      throw new FspoUserException("--api-key-env " + apiKeyEnv + ": that environment variable is not set or empty; "
          + "export it, or drop --api-key-env", FspoUserException.USAGE);
    }
    return key.strip();
  }

  private List<PreferencePair> loadPairs() throws java.io.IOException {
    try (SparkSession spark = SparkSessions.start("fspo serve", sparkOptions.master(), verbosity.verbose())) {
      return EpisodeStore.loadPreferences(spark, episodes.toString(), null);
    }
  }
}
