package org.fspo.eval.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Split;
import org.fspo.core.episode.UserRecord;
import org.fspo.eval.metrics.PairScore;
import org.fspo.synth.procedural.Attribute;
import org.fspo.synth.procedural.ResponseRenderer;
import org.fspo.synth.store.EpisodeStore;

/**
 * Which of a procedural user's attributes does a method read from the shots? Joins an eval report's
 * pair_scores.parquet with the store's held-out pairs and users, and writes reward accuracy per (method, shots,
 * attribute) over the query pairs whose two responses differ in that attribute and whose user weighs it (read back
 * from the response texts with {@link ResponseRenderer#parse}); a pair that differs in two weighed attributes counts
 * under both. docs/eval.md, "General setting: what it takes", quotes its output.
 *
 * <pre>
 * java -cp ... org.fspo.eval.report.AttributeAccuracyProbe REPORT_DIR STORE OUT.json
 * </pre>
 * scripts/bench/accuracy_by_attribute runs it.
 */
public final class AttributeAccuracyProbe {
  private AttributeAccuracyProbe() {}

  /** One (method, shots, attribute) cell: query pairs and how many of them the method ranked right. */
  public record Cell(String method, int shots, String attribute, int pairs, int correct) {
    public double accuracy() {
      return (double) correct / pairs;
    }
  }

  private static final Comparator<Cell> ORDER =
      Comparator.comparing(Cell::method).thenComparingInt(Cell::shots).thenComparing(Cell::attribute);

  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder().appName("attribute accuracy").master("local[1]")
        .config("spark.ui.enabled", "false").getOrCreate();
    List<PairScore> scores = PairScoresParquet.read(spark, Path.of(args[0], PairScoresParquet.DIR_NAME).toString());
    List<PreferencePair> pairs = EpisodeStore.loadPreferences(spark, args[1], Split.TEST);
    List<UserRecord> users = EpisodeStore.loadUsers(spark, args[1], Split.TEST);
    spark.stop();
    List<Cell> cells = tally(scores, pairs, users);
    ObjectMapper json = new ObjectMapper();
    ArrayNode out = json.createArrayNode();
    for (Cell c : cells) {
      out.addObject().put("method", c.method()).put("shots", c.shots()).put("attribute", c.attribute())
          .put("pairs", c.pairs()).put("accuracy", c.accuracy());
      System.err.printf("%-10s %2d shots  %-9s n=%4d  accuracy %.3f%n", c.method(), c.shots(), c.attribute(),
          c.pairs(), c.accuracy());
    }
    json.writerWithDefaultPrettyPrinter().writeValue(Path.of(args[2]).toFile(), out);
  }

  /** The cells in (method, shots, attribute) order; scores of pairs or users not in the lists are an error. */
  public static List<Cell> tally(List<PairScore> scores, List<PreferencePair> pairs, List<UserRecord> users) {
    Map<String, PreferencePair> byPair = pairs.stream()
        .collect(Collectors.toMap(PreferencePair::pairId, Function.identity(), (a, b) -> a));
    Map<String, UserRecord> byUser = users.stream()
        .collect(Collectors.toMap(UserRecord::userId, Function.identity(), (a, b) -> a));
    Map<Cell, int[]> counts = new TreeMap<>(ORDER); // a cell's key (pairs, correct unset) -> {pairs, correct}
    for (PairScore s : scores) {
      PreferencePair pair = byPair.get(s.pairId());
      UserRecord user = byUser.get(s.userId());
      if (pair == null || user == null) {
        throw new IllegalArgumentException("pair_scores row " + s.userId() + "/" + s.pairId()
            + " is not a held-out pair of the store; pass the store the report was evaluated on");
      }
      Map<Attribute, Integer> chosen = ResponseRenderer.parse(pair.chosen());
      Map<Attribute, Integer> rejected = ResponseRenderer.parse(pair.rejected());
      for (Attribute a : Attribute.values()) {
        double weight = user.utilityWeights().getOrDefault(a.key(), 0.0);
        if (weight != 0 && !chosen.get(a).equals(rejected.get(a))) {
          int[] c = counts.computeIfAbsent(new Cell(s.method(), s.shots(), a.key(), 0, 0), k -> new int[2]);
          c[0]++;
          c[1] += s.correct() ? 1 : 0;
        }
      }
    }
    List<Cell> cells = new ArrayList<>();
    counts.forEach((k, c) -> cells.add(new Cell(k.method(), k.shots(), k.attribute(), c[0], c[1])));
    return cells;
  }
}
