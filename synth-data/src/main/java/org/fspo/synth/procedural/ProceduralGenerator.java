package org.fspo.synth.procedural;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Draws procedural users and their labelled pairs. Every user is a pure function of (seed, user index) and every
 * pair list a pure function of (seed, user index, config), so the output does not depend on Spark's partitioning.
 *
 * <p>Balance: the sign patterns of the enabled attributes are dealt in blocks of 2^A users, each block a seeded
 * permutation of all 2^A patterns, so within every full block each attribute value is preferred by exactly half the
 * users. A population model therefore sits at 50% on average with 0 shots; only the shots reveal the user.
 *
 * <p>Pairs: a base attribute vector is drawn uniformly; k in [min_diff, max_diff] enabled attributes are flipped
 * (the first one round-robin over a per-user shuffled order of the attributes that matter to the user, so every
 * one of them is tested about equally often; the others may be any enabled attribute, relevant or not); both
 * vectors are rendered with one shared phrasing; the higher-utility response is chosen. Near ties
 * (|du| &lt; min_margin) and duplicate pairs of a user are redrawn.
 */
public final class ProceduralGenerator {
  private static final long USER_STREAM = 1, PATTERN_STREAM = 2, PAIR_STREAM = 3;
  private static final int MAX_DRAWS_PER_PAIR = 1000;

  private final long seed;
  private final ProceduralConfig config;
  private final List<Attribute> enabled;

  public ProceduralGenerator(long seed, ProceduralConfig config) {
    this.seed = seed;
    this.config = config;
    this.enabled = config.enabled();
  }

  /** The user id of index {@code index}: "proc-" and six digits. */
  public static String userId(long index) {
    return String.format("proc-%06d", index);
  }

  /**
   * User {@code index}: balanced signs, magnitudes uniform in [weight_min, weight_max], 0 for disabled ones; with
   * max_relevant_attributes below the enabled count, a uniform count in [min, max] of relevant attributes, a random
   * subset of that size keeps its weight and the rest get 0 (signs stay balanced in expectation, not per block).
   */
  public ProceduralUser user(long index) {
    int patterns = 1 << enabled.size();
    int[] block = shuffledPatterns(index / patterns, patterns);
    int pattern = block[(int) (index % patterns)];
    SplittableRandom random = Seeds.random(seed, USER_STREAM, index);
    Map<String, Double> weights = new LinkedHashMap<>();
    for (Attribute attribute : Attribute.values()) {
      weights.put(attribute.key(), 0.0);
    }
    for (int i = 0; i < enabled.size(); i++) {
      double magnitude = config.weightMin() + (config.weightMax() - config.weightMin()) * random.nextDouble();
      double sign = ((pattern >> i) & 1) == 1 ? 1 : -1;
      weights.put(enabled.get(i).key(), round4(sign * magnitude));
    }
    int maxRelevant = Math.min(config.maxRelevantAttributes(), enabled.size());
    if (maxRelevant < enabled.size()) { // drawn after the magnitudes, so all-relevant configs keep their users
      int minRelevant = Math.min(config.minRelevantAttributes(), maxRelevant);
      int relevant = minRelevant + random.nextInt(maxRelevant - minRelevant + 1);
      int[] order = permutation(enabled.size(), random);
      for (int i = relevant; i < order.length; i++) {
        weights.put(enabled.get(order[i]).key(), 0.0);
      }
    }
    return new ProceduralUser(userId(index), weights);
  }

  /** The {@code count} labelled pairs of user {@code index}. */
  public List<ProceduralPair> pairs(long index, int count) {
    ProceduralUser user = user(index);
    SplittableRandom random = Seeds.random(seed, PAIR_STREAM, index);
    int[] questions = permutation(QuestionBank.size(), random);
    List<Attribute> order = new ArrayList<>(enabled);
    order.removeIf(attribute -> user.weight(attribute) == 0); // the first flip must be one the user cares about
    java.util.Collections.shuffle(order, new java.util.Random(random.nextLong()));
    int maxDiff = Math.min(config.maxDiffAttributes(), enabled.size());
    int minDiff = Math.min(config.minDiffAttributes(), maxDiff);

    List<ProceduralPair> pairs = new ArrayList<>(count);
    Set<String> seen = new HashSet<>();
    for (int p = 0; p < count; p++) {
      ProceduralPair pair = null;
      for (int draw = 0; pair == null; draw++) {
        if (draw == MAX_DRAWS_PER_PAIR) {
          throw new IllegalArgumentException("could not draw pair " + p + " of user " + user.userId()
              + " with margin >= " + config.minMargin() + "; lower synth.procedural.min_margin or pairs_per_user");
        }
        int question = questions[(p + draw) % questions.length];
        pair = drawPair(user, p, question, order.get(p % order.size()), minDiff, maxDiff, random);
        if (pair != null && !seen.add(pair.question() + "\u0000" + pair.chosen() + "\u0000" + pair.rejected())) {
          pair = null;
        }
      }
      pairs.add(pair);
    }
    return pairs;
  }

  private ProceduralPair drawPair(
      ProceduralUser user, int p, int question, Attribute first, int minDiff, int maxDiff, SplittableRandom random) {
    Map<Attribute, Integer> a = new EnumMap<>(Attribute.class);
    for (Attribute attribute : Attribute.values()) {
      a.put(attribute, random.nextBoolean() ? 1 : -1);
    }
    Map<Attribute, Integer> b = new EnumMap<>(a);
    int k = minDiff + random.nextInt(maxDiff - minDiff + 1);
    List<Attribute> others = new ArrayList<>(enabled);
    others.remove(first);
    java.util.Collections.shuffle(others, new java.util.Random(random.nextLong()));
    List<Attribute> flipped = new ArrayList<>(others.subList(0, k - 1));
    flipped.add(first);
    for (Attribute attribute : flipped) {
      b.put(attribute, -a.get(attribute));
    }
    ResponseRenderer.Phrasing phrasing = ResponseRenderer.drawPhrasing(random);
    double ua = user.utility(a), ub = user.utility(b);
    if (Math.abs(ua - ub) < config.minMargin()) {
      return null;
    }
    QuestionBank.Topic topic = QuestionBank.topic(question);
    String textA = ResponseRenderer.render(topic, a, phrasing), textB = ResponseRenderer.render(topic, b, phrasing);
    boolean aWins = ua > ub;
    return new ProceduralPair(
        user.userId(), p, question, QuestionBank.question(question),
        aWins ? textA : textB, aWins ? textB : textA, aWins ? a : b, aWins ? b : a,
        Math.max(ua, ub), Math.min(ua, ub));
  }

  private int[] shuffledPatterns(long block, int patterns) {
    return permutation(patterns, Seeds.random(seed, PATTERN_STREAM, block));
  }

  private static int[] permutation(int n, SplittableRandom random) {
    int[] values = new int[n];
    for (int i = 0; i < n; i++) {
      values[i] = i;
    }
    for (int i = n - 1; i > 0; i--) { // Fisher-Yates
      int j = random.nextInt(i + 1);
      int tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
    return values;
  }

  private static double round4(double value) {
    return Math.round(value * 1e4) / 1e4;
  }
}
