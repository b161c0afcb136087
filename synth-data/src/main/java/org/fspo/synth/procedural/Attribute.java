package org.fspo.synth.procedural;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A documented response attribute of the procedural generator: two values, a negative one (sign -1) and a positive
 * one (sign +1), each with marker words that appear in a rendered response iff it has that value. A procedural
 * user's utility is {@code u(x) = sum_a w_a * x_a} with {@code x_a} in {-1, +1} (see {@link ProceduralUser}).
 *
 * <p>The marker sets are disjoint from each other and from every other word the generator writes, so the
 * attribute vector of any text can be read back by counting markers ({@link ResponseRenderer#parse}). This is what
 * lets evaluation judge any response (also a trained model's) exactly.
 *
 * <pre>
 * attribute | -1 value | markers (-1)                 | +1 value  | markers (+1)
 * length    | short    | short, briefly               | long      | detail, thoroughly
 * tone      | formal   | certainly, regards, kindly   | casual    | hey, yeah, cool
 * format    | prose    | first, then, finally         | bullets   | "-" (a line starting "- ")
 * examples  | none     | general, usually             | with      | example, instance
 * jargon    | plain    | simple, easy, gently, little | technical | parameters, optimize, benchmark, metrics, ...
 * </pre>
 */
public enum Attribute {
  LENGTH("short", "long", Set.of("short", "briefly"), Set.of("detail", "thoroughly")),
  TONE("formal", "casual", Set.of("certainly", "regards", "kindly"), Set.of("hey", "yeah", "cool")),
  FORMAT("prose", "bullets", Set.of("first", "then", "finally"), Set.of("-")),
  EXAMPLES("none", "with", Set.of("general", "usually"), Set.of("example", "instance")),
  JARGON(
      "plain",
      "technical",
      Set.of("simple", "easy", "gently", "little", "slowly", "basic"),
      Set.of("parameters", "optimize", "benchmark", "metrics", "iteration", "calibrate", "baseline", "configure"));

  private final String negativeValue;
  private final String positiveValue;
  private final Set<String> negativeMarkers;
  private final Set<String> positiveMarkers;

  Attribute(String negativeValue, String positiveValue, Set<String> negativeMarkers, Set<String> positiveMarkers) {
    this.negativeValue = negativeValue;
    this.positiveValue = positiveValue;
    this.negativeMarkers = negativeMarkers;
    this.positiveMarkers = positiveMarkers;
  }

  /** The config / store key: lower-case name, e.g. "length". */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The value name for sign -1 or +1, e.g. "short" / "long". */
  public String value(int sign) {
    return sign > 0 ? positiveValue : negativeValue;
  }

  /** Marker words of the value with this sign. */
  public Set<String> markers(int sign) {
    return sign > 0 ? positiveMarkers : negativeMarkers;
  }

  /** Parses a config key such as "tone"; fails with a message naming the allowed keys. */
  public static Attribute ofKey(String key) {
    for (Attribute attribute : values()) {
      if (attribute.key().equals(key)) {
        return attribute;
      }
    }
    throw new IllegalArgumentException(
        "unknown procedural attribute '" + key + "'; use some of " + keys(List.of(values())));
  }

  static List<String> keys(List<Attribute> attributes) {
    return attributes.stream().map(Attribute::key).toList();
  }
}
