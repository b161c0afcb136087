package org.fspo.eval.serve;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.eval.generate.Generator;
import org.fspo.eval.generate.ModelResponseWriter;
import org.fspo.eval.generate.SamplingConfig;
import org.fspo.train.loop.ScratchModel;
import org.fspo.train.loop.TrainConfig;
import org.fspo.train.model.BatchedDecoder;
import org.fspo.train.tokenizer.WordLevelTokenizer;

/**
 * A run folder made in the test, as fspo train lays it out (config.yaml, tokenizer.json, sft/ and final/), with a
 * seeded tiny GPT-2 (d 32, 2 layers, 256 positions) and a word-level tokenizer over a few users' pairs; and a
 * server on it on an ephemeral loopback port. The text is noise; the tests check the plumbing, not quality.
 */
public final class TinyServe implements AutoCloseable {
  static final String[] TOPICS = {"tea", "rain", "music", "books", "cats", "trains"};
  final ServedModel model;
  final ServeServer server;
  final CompletionService service;
  final int port;

  /** 3 users x 6 pairs; user u's pairs are "u{u}q{q}", so RECENT (no created_at: by pair id) ends with q5. */
  public static List<PreferencePair> pairs() {
    List<PreferencePair> out = new ArrayList<>();
    for (int u = 0; u < 3; u++) {
      for (int q = 0; q < TOPICS.length; q++) {
        out.add(new PreferencePair("user" + u, "u" + u + "q" + q, "What about " + TOPICS[q] + "?",
            "warm and kind words about " + TOPICS[q], "cold and short note on " + TOPICS[q], null, "procedural",
            "train", null));
      }
    }
    return out;
  }

  /** Writes the run folder under dir and returns it. */
  public static Path run(Path dir) throws Exception {
    return run(dir, "tiny-run", List.of());
  }

  /** An oracle's run folder (trained with the true description and no shots, as the pipeline trains it). */
  public static Path oracleRun(Path dir) throws Exception {
    return run(dir, "tiny-oracle", List.of("data.with_description=true", "data.teacher_forced=true", "data.shots=0"));
  }

  /** A fspo_cot run folder (trained to write a user description before its response, as the pipeline trains it). */
  public static Path cotRun(Path dir) throws Exception {
    return run(dir, "tiny-cot", List.of("data.with_description=true", "data.teacher_forced=false"));
  }

  private static Path run(Path dir, String name, List<String> data) throws Exception {
    Path run = Files.createDirectories(dir.resolve(name));
    if (Files.isRegularFile(run.resolve("config.yaml"))) return run;
    List<String> texts = new ArrayList<>();
    for (PreferencePair p : pairs()) texts.addAll(List.of(p.prompt(), p.chosen(), p.rejected()));
    WordLevelTokenizer tok = WordLevelTokenizer.build(texts, 1000, 1);
    List<String> sets = new ArrayList<>(List.of("model.family=gpt2", "model.d_model=32", "model.layers=2",
        "model.heads=2", "model.max_seq_len=256", "seed=7"));
    sets.addAll(data);
    TrainConfig config = TrainConfig.load(null, sets);
    ScratchModel.create(config.model(), tok.vocabSize(), tok.eosId(), 7).save(run.resolve("final"));
    ScratchModel.create(config.model(), tok.vocabSize(), tok.eosId(), 8).save(run.resolve("sft"));
    tok.save(run.resolve("tokenizer.json"));
    Files.writeString(run.resolve("config.yaml"), config.toYaml());
    return run;
  }

  TinyServe(Path dir, String apiKey, int maxBatch, int queue) throws Exception {
    this(run(dir), "fspo", pairs(), apiKey, maxBatch, queue);
  }

  /** A server of {@code method} from {@code run}, whose --episodes are {@code stored}. */
  TinyServe(Path run, String method, List<PreferencePair> stored, String apiKey, int maxBatch, int queue)
      throws Exception {
    model = ServedModel.load(run, method);
    DecodeEngine engine = new DecodeEngine(new BatchedDecoder(model.policy(), maxBatch, 64L << 20), model.stopIds(),
        queue); // prefix cache on, as fspo serve runs
    service = new CompletionService(model, engine, new UserShots(stored, ShotPolicy.RECENT, 2, 0, 0), true, 24);
    server = new ServeServer(apiKey);
    port = server.start("127.0.0.1", 0, 64);
    server.ready(service);
  }

  String base() {
    return "http://127.0.0.1:" + port + "/v1";
  }

  /** What eval's sampler writes for this user, shots, question and seed (ModelResponseWriter, as eval runs it). */
  String evalResponse(String user, List<PreferencePair> shots, String question, double temperature, double topP,
      int maxTokens, long seed) {
    Generator g = new Generator(model.policy(), new SamplingConfig(temperature, topP, maxTokens, seed),
        model.codec().eosId());
    ModelResponseWriter writer = new ModelResponseWriter(g, model.codec(), model.format(), false, "fspo");
    return writer.respond(new Episode(user, shots, ServedModel.query(user, question)));
  }

  /** Request shots as the server turns fspo_shots into pairs. */
  static List<PreferencePair> requestShots(String user, String[][] qwl) {
    List<PreferencePair> out = new ArrayList<>();
    for (int i = 0; i < qwl.length; i++) {
      out.add(new PreferencePair(user, "shot-" + i, qwl[i][0], qwl[i][1], qwl[i][2], null, null, null, null));
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    server.stop(10_000);
    model.close();
  }
}
