package org.fspo.synth.procedural;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A procedural user: latent utility weights over the {@link Attribute}s, and the exact utility they induce,
 * {@code u(x) = sum_a w_a * x_a} with {@code x_a} in {-1, 0, +1}. A positive weight means the user prefers the
 * attribute's +1 value (long, casual, bullets, with examples, technical); a weight of 0 means the attribute is
 * disabled in the config and never decides a pair. This is evaluation's exact judge: {@link #utility(String)}
 * scores any response text through {@link ResponseRenderer#parse}.
 *
 * @param userId  the user id, e.g. "proc-000042"
 * @param weights attribute key ("length", "tone", ...) to weight, for every attribute
 */
public record ProceduralUser(String userId, Map<String, Double> weights) {

  public ProceduralUser {
    weights = Map.copyOf(weights);
    for (Attribute attribute : Attribute.values()) {
      if (!weights.containsKey(attribute.key())) {
        throw new IllegalArgumentException("user " + userId + " has no weight for '" + attribute.key() + "'");
      }
    }
  }

  /** Rebuilds a user from the store's users/ row (user_id, utility_weights). */
  public static ProceduralUser fromStore(String userId, Map<String, Double> utilityWeights) {
    return new ProceduralUser(userId, utilityWeights);
  }

  public double weight(Attribute attribute) {
    return weights.get(attribute.key());
  }

  /** Exact utility of an attribute vector (attribute to -1, 0 or +1; absent counts as 0). */
  public double utility(Map<Attribute, Integer> signs) {
    double total = 0;
    for (Map.Entry<Attribute, Integer> entry : signs.entrySet()) {
      total += weight(entry.getKey()) * entry.getValue();
    }
    return total;
  }

  /** Utility of any response text, via its marker words. */
  public double utility(String responseText) {
    return utility(ResponseRenderer.parse(responseText));
  }

  /**
   * Which of two responses this user prefers: +1 if {@code a}, -1 if {@code b}, 0 on a tie (equal utility).
   * This is the exact judge evaluation uses for procedural users.
   */
  public int prefers(String a, String b) {
    return Double.compare(utility(a), utility(b));
  }

  /** The trait map stored in users/traits: attribute key to the preferred value, or "any" for weight 0. */
  public Map<String, String> traits() {
    Map<String, String> traits = new LinkedHashMap<>();
    for (Attribute attribute : Attribute.values()) {
      double w = weight(attribute);
      traits.put(attribute.key(), w == 0 ? "any" : attribute.value(w > 0 ? 1 : -1));
    }
    return traits;
  }

  /**
   * The natural-language description, rendered from the weights in order of importance, e.g. "prefers a casual
   * tone, bullet points, short answers, concrete examples and plain words, in that order of importance."
   */
  public String description() {
    List<Attribute> byImportance = new ArrayList<>(List.of(Attribute.values()));
    byImportance.removeIf(attribute -> weight(attribute) == 0);
    byImportance.sort(Comparator.comparingDouble((Attribute a) -> -Math.abs(weight(a))).thenComparing(Enum::ordinal));
    List<String> phrases = new ArrayList<>();
    for (Attribute attribute : byImportance) {
      phrases.add(phrase(attribute, weight(attribute) > 0 ? 1 : -1));
    }
    if (phrases.isEmpty()) {
      return "has no preferences about response style.";
    }
    String joined =
        phrases.size() == 1
            ? phrases.get(0)
            : String.join(", ", phrases.subList(0, phrases.size() - 1)) + " and " + phrases.get(phrases.size() - 1);
    return "prefers " + joined + (phrases.size() > 1 ? ", in that order of importance." : ".");
  }

  private static String phrase(Attribute attribute, int sign) {
    return switch (attribute) {
      case LENGTH -> sign > 0 ? "long answers" : "short answers";
      case TONE -> sign > 0 ? "a casual tone" : "a formal tone";
      case FORMAT -> sign > 0 ? "bullet points" : "flowing prose";
      case EXAMPLES -> sign > 0 ? "concrete examples" : "no examples";
      case JARGON -> sign > 0 ? "technical jargon" : "plain words";
    };
  }
}
