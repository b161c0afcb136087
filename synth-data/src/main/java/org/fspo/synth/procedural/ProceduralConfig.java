package org.fspo.synth.procedural;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The {@code synth.procedural} config section: how procedural users and their pairs are drawn. Documented key by key
 * in conf/synth-procedural.yaml.
 *
 * @param attributes        attributes users have preferences over (keys of {@link Attribute}); the others get
 *                          weight 0 and are rendered identically in both responses of a pair. Default: all five.
 * @param minDiffAttributes fewest attributes in which a pair's two responses differ. Default 1.
 * @param maxDiffAttributes most attributes in which a pair's two responses differ (capped at the number of
 *                          attributes). Default 2.
 * @param minMargin         smallest utility difference |u(chosen) - u(rejected)| a pair may have; closer pairs
 *                          (near ties) are redrawn, so ties are never emitted. Default 0.5.
 * @param weightMin         smallest |weight| of an attribute. Default 0.5.
 * @param weightMax         largest |weight| of an attribute. Default 1.5.
 * @param minRelevantAttributes fewest enabled attributes that matter to a user (nonzero weight); the others get
 *                          weight 0 for that user. Capped at the number of attributes. Default 5 (all matter).
 * @param maxRelevantAttributes most enabled attributes that matter to a user; the count is drawn uniformly in
 *                          [min, max] per user. Capped at the number of attributes. Default 5.
 */
public record ProceduralConfig(
    @JsonProperty("attributes") List<String> attributes,
    @JsonProperty("min_diff_attributes") int minDiffAttributes,
    @JsonProperty("max_diff_attributes") int maxDiffAttributes,
    @JsonProperty("min_margin") double minMargin,
    @JsonProperty("weight_min") double weightMin,
    @JsonProperty("weight_max") double weightMax,
    @JsonProperty("min_relevant_attributes") int minRelevantAttributes,
    @JsonProperty("max_relevant_attributes") int maxRelevantAttributes) implements java.io.Serializable {

  public ProceduralConfig {
    attributes = attributes == null ? defaults().attributes() : List.copyOf(attributes);
    if (attributes.isEmpty()) {
      throw new IllegalArgumentException("synth.procedural.attributes is empty; list at least one of "
          + Attribute.keys(List.of(Attribute.values())));
    }
    attributes.forEach(Attribute::ofKey);
    if (attributes.stream().distinct().count() != attributes.size()) {
      throw new IllegalArgumentException("synth.procedural.attributes lists an attribute twice: " + attributes);
    }
    if (minDiffAttributes < 1 || maxDiffAttributes < minDiffAttributes) {
      throw new IllegalArgumentException("synth.procedural needs 1 <= min_diff_attributes <= max_diff_attributes, got "
          + minDiffAttributes + " and " + maxDiffAttributes);
    }
    if (minRelevantAttributes < 1 || maxRelevantAttributes < minRelevantAttributes) {
      throw new IllegalArgumentException("synth.procedural needs 1 <= min_relevant_attributes <= "
          + "max_relevant_attributes, got " + minRelevantAttributes + " and " + maxRelevantAttributes);
    }
    if (!(weightMin > 0 && weightMax >= weightMin)) {
      throw new IllegalArgumentException("synth.procedural needs 0 < weight_min <= weight_max, got "
          + weightMin + " and " + weightMax);
    }
    if (!(minMargin > 0 && minMargin <= 2 * weightMin)) {
      throw new IllegalArgumentException("synth.procedural.min_margin must be in (0, 2 * weight_min], got " + minMargin
          + "; a single differing attribute always has a margin of at least 2 * weight_min");
    }
  }

  public static ProceduralConfig defaults() {
    return new ProceduralConfig(List.of("length", "tone", "format", "examples", "jargon"), 1, 2, 0.5, 0.5, 1.5, 5, 5);
  }

  /** The same settings with users for whom {@code min..max} attributes matter. */
  public ProceduralConfig withRelevant(int min, int max) {
    return new ProceduralConfig(attributes, minDiffAttributes, maxDiffAttributes, minMargin, weightMin, weightMax,
        min, max);
  }

  /** The enabled attributes, in config order. */
  public List<Attribute> enabled() {
    return attributes.stream().map(Attribute::ofKey).toList();
  }
}
