package org.fspo.synth.procedural;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fspo.synth.procedural.QuestionBank.Topic;

/**
 * Renders a short response (about 8 to 26 words) to a procedural question from an attribute vector, and reads the
 * vector back from any text ({@link #parse}). Shape of a rendered response:
 *
 * <pre>
 * {tone opener} [{short prefix}] {body: 2 steps if short, 3 if long; prose "first .. then .. finally" or "- " lines}
 * {example or general sentence} [{long closer}]
 *
 * certainly. in short: first try something simple then take it slowly. in general results vary.
 * hey!
 * - configure the bread parameters
 * - set a clear baseline
 * - optimize each iteration
 * for example try bread with a friend. review it thoroughly.
 * </pre>
 *
 * <p>Which phrasing variant fills each slot is drawn from {@link Phrasing}, not from the attribute values, so two
 * responses rendered with the same phrasing differ only in the slots of the attributes where they differ. That keeps
 * the signal a small model has to find in the marker words.
 */
public final class ResponseRenderer {

  /** Variant indices for every slot, drawn once per pair and shared by its two responses. */
  public record Phrasing(int opener, int shortPrefix, int[] steps, int example, int closer) {}

  private static final List<String> FORMAL_OPENERS =
      List.of("certainly.", "kindly note.", "best regards.");
  private static final List<String> CASUAL_OPENERS = List.of("hey!", "yeah sure!", "cool question!");
  private static final List<String> SHORT_PREFIXES = List.of("in short:", "briefly:");
  // Step i of the plain list and step i of the technical list say the same thing; {noun} is the topic's noun.
  private static final List<String> PLAIN_STEPS =
      List.of(
          "try something simple",
          "take it slowly",
          "keep the {noun} easy",
          "practice a little daily",
          "move on gently",
          "learn the basic ideas");
  private static final List<String> TECHNICAL_STEPS =
      List.of(
          "configure the {noun} parameters",
          "set a clear baseline",
          "optimize each iteration",
          "track the key metrics",
          "calibrate your tools",
          "benchmark your progress");
  private static final List<String> EXAMPLES =
      List.of(
          "for example try {noun} with a friend.",
          "for instance a neighbour learned {noun} so.",
          "for example a friend did {noun} so.");
  private static final List<String> GENERALS =
      List.of(
          "in general results vary.",
          "usually progress comes with time.",
          "in general patience matters most.");
  private static final List<String> LONG_CLOSERS =
      List.of("review it thoroughly.", "check each detail.", "plan every detail.");

  private ResponseRenderer() {}

  /** Draws a phrasing from the generator's random stream. */
  public static Phrasing drawPhrasing(java.util.random.RandomGenerator random) {
    int[] order = random.ints(0, PLAIN_STEPS.size()).distinct().limit(3).toArray();
    return new Phrasing(
        random.nextInt(FORMAL_OPENERS.size()),
        random.nextInt(SHORT_PREFIXES.size()),
        order,
        random.nextInt(EXAMPLES.size()),
        random.nextInt(LONG_CLOSERS.size()));
  }

  /** Renders the response for {@code signs} (attribute to -1/+1; all five attributes must be present). */
  public static String render(Topic topic, Map<Attribute, Integer> signs, Phrasing phrasing) {
    boolean isLong = sign(signs, Attribute.LENGTH) > 0;
    boolean isCasual = sign(signs, Attribute.TONE) > 0;
    boolean isBullets = sign(signs, Attribute.FORMAT) > 0;
    boolean hasExample = sign(signs, Attribute.EXAMPLES) > 0;
    List<String> stepBank = sign(signs, Attribute.JARGON) > 0 ? TECHNICAL_STEPS : PLAIN_STEPS;

    List<String> steps = new ArrayList<>();
    for (int i = 0; i < (isLong ? 3 : 2); i++) {
      steps.add(stepBank.get(phrasing.steps()[i]).replace("{noun}", topic.noun()));
    }
    StringBuilder text = new StringBuilder();
    text.append((isCasual ? CASUAL_OPENERS : FORMAL_OPENERS).get(phrasing.opener()));
    if (!isLong) {
      text.append(' ').append(SHORT_PREFIXES.get(phrasing.shortPrefix()));
    }
    if (isBullets) {
      for (String step : steps) {
        text.append("\n- ").append(step);
      }
      text.append('\n');
    } else {
      text.append(" first ").append(steps.get(0)).append(" then ").append(steps.get(1));
      if (isLong) {
        text.append(" finally ").append(steps.get(2));
      }
      text.append(". ");
    }
    text.append((hasExample ? EXAMPLES : GENERALS).get(phrasing.example()).replace("{noun}", topic.noun()));
    if (isLong) {
      text.append(' ').append(LONG_CLOSERS.get(phrasing.closer()));
    }
    return text.toString();
  }

  /**
   * Reads the attribute vector back from any text: per attribute, (number of +1 marker words) minus (number of -1
   * marker words), reduced to its sign; 0 where the text has no markers or they cancel. Words are compared lower
   * case with surrounding punctuation stripped; a lone "-" counts as a bullet marker.
   */
  public static Map<Attribute, Integer> parse(String text) {
    Map<Attribute, Integer> score = new EnumMap<>(Attribute.class);
    for (Attribute attribute : Attribute.values()) {
      score.put(attribute, 0);
    }
    for (String token : text.toLowerCase(Locale.ROOT).split("\\s+")) {
      String word = token.equals("-") ? token : token.replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
      for (Attribute attribute : Attribute.values()) {
        if (attribute.markers(+1).contains(word)) {
          score.merge(attribute, 1, Integer::sum);
        } else if (attribute.markers(-1).contains(word)) {
          score.merge(attribute, -1, Integer::sum);
        }
      }
    }
    score.replaceAll((attribute, count) -> Integer.signum(count));
    return score;
  }

  private static int sign(Map<Attribute, Integer> signs, Attribute attribute) {
    Integer sign = signs.get(attribute);
    if (sign == null || (sign != 1 && sign != -1)) {
      throw new IllegalArgumentException("attribute '" + attribute.key() + "' needs a sign of -1 or +1, got " + sign);
    }
    return sign;
  }
}
