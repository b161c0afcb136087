package org.fspo.eval.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Split;
import org.fspo.core.episode.UserRecord;
import org.fspo.eval.judge.ProceduralOracle;
import org.fspo.eval.metrics.BootstrapCi;
import org.fspo.eval.metrics.Method;
import org.fspo.eval.metrics.Outcome;
import org.fspo.eval.metrics.PairOutcome;
import org.fspo.eval.metrics.WinRate;
import org.fspo.eval.metrics.WinRateCell;
import org.fspo.eval.pipeline.RunMethods;
import org.fspo.eval.scoring.EvalEpisode;
import org.fspo.eval.scoring.EvalEpisodes;
import org.fspo.synth.procedural.Attribute;
import org.fspo.synth.procedural.ProceduralUser;
import org.fspo.synth.procedural.ResponseRenderer;
import org.fspo.synth.store.EpisodeStore;
import org.fspo.train.loop.TrainedRun;
import org.fspo.train.tokenizer.TextTokenizer;

/**
 * Why do sampled responses fail? Samples every method's responses on the eval's held-out episodes (same users, queries
 * and shots as `fspo eval`) under several decoding settings and writes, per (setting, method), JSON with: how
 * generation ended (EOS, a new "#" section, max_tokens), tokens per response, the rate of complete attribute vectors (every attribute the
 * user weighs is read with a nonzero sign), the rate of exact matches of the user's preferred values, the mean utility
 * on the question's [min, max] scale, the longest run of one repeated word, the win rate against the population
 * model's sample (exact utility judge, ties 1/2, 95% bootstrap CI over users), and three samples. Also checks that
 * the run's word-level tokenizer round-trips the store's responses (text and parsed attribute vector).
 *
 * <pre>
 * java -cp ... org.fspo.eval.generate.GenerationProbe RUNS STORE OUT.json SHOTS QUERIES \
 *     NAME:T:TOP_P:MAX_TOKENS[:NUM_BEAMS[:NO_REPEAT_NGRAM_SIZE]]...
 * </pre>
 * RUNS holds one run per method (fspo, fspo_cot, population, oracle; pref_ft is fspo's stage 1), as the pipeline
 * writes. System properties: probe.methods (comma-separated, default all five; population is the win rates'
 * baseline), probe.ids=true (print the token ids of each method's first two greedy samples to stderr). Used for docs/eval.md, "Why the samples failed"; scripts/bench/generation_probe runs it.
 */
public final class GenerationProbe {
  private GenerationProbe() {}

  public static void main(String[] args) throws Exception {
    Path runs = Path.of(args[0]);
    String store = args[1];
    Path out = Path.of(args[2]);
    int shots = Integer.parseInt(args[3]);
    int queries = Integer.parseInt(args[4]);
    List<String> methods = List.of(System.getProperty("probe.methods", "fspo,fspo_cot,pref_ft,population,oracle")
        .split(","));
    SparkSession spark = SparkSession.builder().appName("probe").master("local[1]")
        .config("spark.ui.enabled", "false").getOrCreate();
    List<PreferencePair> pairs = EpisodeStore.loadPreferences(spark, store, Split.TEST);
    List<UserRecord> users = EpisodeStore.loadUsers(spark, store, Split.TEST);
    spark.stop();
    Map<String, ProceduralUser> byId = new LinkedHashMap<>();
    users.forEach(u -> byId.put(u.userId(), ProceduralUser.fromStore(u.userId(), u.utilityWeights())));
    ProceduralOracle oracle = new ProceduralOracle(users);
    List<EvalEpisode> episodes = new ArrayList<>();
    for (EvalEpisode e : new EvalEpisodes(List.of(shots), queries, 0L).plan(pairs).episodes()) {
      episodes.add(e);
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("runs", runs.toString()).put("shots", shots).put("episodes", episodes.size());
    root.set("tokenizer_round_trip", roundTrip(json, TrainedRun.open(runs.resolve("fspo")).tokenizer(), pairs));
    ArrayNode settings = root.putArray("settings");
    for (int i = 5; i < args.length; i++) {
      String[] s = args[i].split(":");
      SamplingConfig sampling = new SamplingConfig(Double.parseDouble(s[1]), Double.parseDouble(s[2]),
          Integer.parseInt(s[3]), 0L, s.length > 4 ? Integer.parseInt(s[4]) : 1,
          s.length > 5 ? Integer.parseInt(s[5]) : 0, s.length > 6 ? Double.parseDouble(s[6]) : 0.0,
          s.length > 7 ? Double.parseDouble(s[7]) : 0.0);
      ObjectNode setting = settings.addObject().put("name", s[0]).put("temperature", sampling.temperature())
          .put("top_p", sampling.topP()).put("max_tokens", sampling.maxTokens()).put("num_beams", sampling.numBeams())
          .put("no_repeat_ngram_size", sampling.noRepeatNgramSize())
          .put("presence_penalty", sampling.presencePenalty()).put("frequency_penalty", sampling.frequencyPenalty());
      Map<String, List<String>> responses = new LinkedHashMap<>();
      ObjectNode perMethod = setting.putObject("methods");
      for (String m : methods) {
        Method method = Method.fromKey(m);
        ModelResponseWriter writer = RunMethods.writer(method, runs.resolve(method.provider().key()), sampling);
        List<String> texts = new ArrayList<>();
        List<String> raws = new ArrayList<>();
        int eos = 0, maxed = 0, section = 0, tokens = 0;
        for (EvalEpisode e : episodes) {
          ModelResponseWriter.Sample sample = writer.sample(e.episode());
          if (Boolean.getBoolean("probe.ids") && texts.size() < 2) {
            TextTokenizer tok = TrainedRun.open(runs.resolve(method.provider().key())).tokenizer();
            int[] ids = writer.generator().generate(tok.encode(writer.prompt(e.episode())), "peek");
            StringBuilder b = new StringBuilder();
            for (int id : ids) {
              b.append(id).append('=').append(tok.decode(new int[] {id})).append(' ');
            }
            System.err.println("probe ids " + m + ": " + b);
          }
          texts.add(sample.response());
          raws.add(sample.raw());
          tokens += sample.tokens();
          eos += sample.endedAtEos() ? 1 : 0;
          boolean max = !sample.endedAtEos() && sample.tokens() >= sampling.maxTokens();
          maxed += max ? 1 : 0;
          section += !sample.endedAtEos() && !max ? 1 : 0;
        }
        responses.put(m, texts);
        ObjectNode cell = perMethod.putObject(m);
        cell.put("n", texts.size()).put("mean_tokens", (double) tokens / texts.size())
            .put("ended_at_eos", (double) eos / texts.size()).put("hit_max_tokens", (double) maxed / texts.size())
            .put("stopped_at_new_section", (double) section / texts.size());
        quality(cell, episodes, texts, byId);
        ArrayNode examples = cell.putArray("examples");
        for (int k = 0; k < (Boolean.getBoolean("probe.samples") ? texts.size() : Math.min(3, texts.size())); k++) {
          examples.addObject().put("user", byId.get(episodes.get(k).episode().userId()).description())
              .put("response", texts.get(k)).put("raw", raws.get(k));
        }
        System.err.println("probe: " + s[0] + " " + m + " " + cell.get("well_formed") + " " + cell.get("match"));
      }
      // no model: the first shot's preferred response (to another question), i.e. a perfect copy of one shot's style
      List<String> copy = episodes.stream()
          .map(e -> e.episode().shots().isEmpty() ? "" : e.episode().shots().get(0).chosen()).toList();
      responses.put("copy_first_shot", copy);
      quality(perMethod.putObject("copy_first_shot"), episodes, copy, byId);
      List<String> base = responses.get("population");
      if (base != null) {
        for (String m : responses.keySet()) {
          if (!m.equals("population")) {
            ((ObjectNode) perMethod.get(m)).set("win_rate_vs_population",
                json.valueToTree(win(episodes, m, responses.get(m), base, oracle)));
          }
        }
      }
      json.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), root);
    }
    json.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), root);
  }

  /** Complete-vector rate, exact-match rate, mean normalized utility, longest repeated-word run. */
  static void quality(ObjectNode cell, List<EvalEpisode> episodes, List<String> texts, Map<String, ProceduralUser> users) {
    int complete = 0, allFive = 0, match = 0, longestRun = 0;
    double utility = 0;
    for (int i = 0; i < texts.size(); i++) {
      ProceduralUser user = users.get(episodes.get(i).episode().userId());
      Map<Attribute, Integer> signs = ResponseRenderer.parse(texts.get(i));
      boolean full = true, same = true;
      double max = 0;
      for (Attribute a : Attribute.values()) {
        double w = user.weight(a);
        if (w != 0) {
          full &= signs.get(a) != 0;
          same &= signs.get(a) == (int) Math.signum(w);
          max += Math.abs(w);
        }
      }
      complete += full ? 1 : 0;
      allFive += signs.values().stream().allMatch(v -> v != 0) ? 1 : 0;
      match += same ? 1 : 0;
      utility += max == 0 ? 0.5 : (user.utility(signs) + max) / (2 * max);
      longestRun = Math.max(longestRun, longestRun(texts.get(i)));
    }
    int n = texts.size();
    cell.put("well_formed", (double) complete / n).put("well_formed_all_attributes", (double) allFive / n)
        .put("match", (double) match / n)
        .put("mean_utility_01", utility / n).put("longest_repeat_run", longestRun);
  }

  static int longestRun(String text) {
    String[] words = text.trim().split("\\s+");
    int best = 0, run = 0;
    for (int i = 0; i < words.length; i++) {
      run = i > 0 && words[i].equals(words[i - 1]) ? run + 1 : 1;
      best = Math.max(best, run);
    }
    return best;
  }

  static WinRateCell win(List<EvalEpisode> episodes, String method, List<String> model, List<String> base,
      ProceduralOracle oracle) {
    List<PairOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < episodes.size(); i++) {
      PreferencePair q = episodes.get(i).episode().query();
      int v = oracle.prefers(q.userId(), model.get(i), base.get(i));
      outcomes.add(new PairOutcome(q.userId(), q.pairId(), q.domain(), method, episodes.get(i).shots(),
          v > 0 ? Outcome.WIN : v < 0 ? Outcome.LOSS : Outcome.TIE, null, model.get(i).length(),
          base.get(i).length()));
    }
    return WinRate.cell(outcomes, new BootstrapCi(1000, 0.95, 0L), "utility");
  }

  /** decode(encode(x)) against x for every stored response: exact text, and the parsed attribute vector. */
  static ObjectNode roundTrip(ObjectMapper json, TextTokenizer tok, List<PreferencePair> pairs) {
    int n = 0, exact = 0, sameVector = 0;
    String firstDiff = null;
    for (PreferencePair p : pairs) {
      for (String text : List.of(p.chosen(), p.rejected())) {
        String back = tok.decode(tok.encode(text));
        n++;
        exact += back.equals(text) ? 1 : 0;
        sameVector += ResponseRenderer.parse(back).equals(ResponseRenderer.parse(text)) ? 1 : 0;
        if (firstDiff == null && !back.equals(text)) {
          firstDiff = json.valueToTree(List.of(text, back)).toString();
        }
      }
    }
    return json.createObjectNode().put("n", n).put("exact", (double) exact / n)
        .put("same_attribute_vector", (double) sameVector / n).put("first_difference", firstDiff);
  }
}
