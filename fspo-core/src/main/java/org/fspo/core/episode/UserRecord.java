package org.fspo.core.episode;

import java.util.Map;

/**
 * One user (task). One row of the store's {@code users/} table.
 *
 * @param userId         the user
 * @param description    natural-language description (persona), or null where the data has none
 * @param traits         structured traits, e.g. {age: "18-25", region: "EU"}; empty for imports
 * @param utilityWeights latent utility weights per response attribute for procedural users (the evaluation
 *                       oracle); empty where the user has none
 * @param split          "train" or "test" ({@link Split})
 */
public record UserRecord(
    String userId, String description, Map<String, String> traits, Map<String, Double> utilityWeights, String split) {

  public UserRecord {
    if (userId == null || userId.isBlank()) {
      throw new IllegalArgumentException("field 'user_id' is missing or empty");
    }
    traits = traits == null ? Map.of() : Map.copyOf(traits);
    utilityWeights = utilityWeights == null ? Map.of() : Map.copyOf(utilityWeights);
  }
}
