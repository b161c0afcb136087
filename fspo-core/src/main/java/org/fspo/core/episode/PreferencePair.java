package org.fspo.core.episode;

/**
 * One labelled preference of one user: for {@code prompt}, the user prefers {@code chosen} over {@code rejected}.
 * One row of the store's {@code preferences/} table (columns in {@link org.fspo.core.schema.Columns}).
 *
 * @param userId          the user (task) this preference belongs to
 * @param pairId          stable id of the pair, unique within the store: a hash of (user_id, prompt, chosen, rejected)
 * @param prompt          the question
 * @param chosen          the preferred response
 * @param rejected        the dispreferred response
 * @param userDescription the user's description, or null where the data has none
 * @param domain          e.g. "reviews", "elix", "roleplay", "procedural", or the import's domain field
 * @param split           "train" or "test", a function of (user_id, seed, test fraction): see {@link Split}
 * @param provenance      where the row came from
 */
public record PreferencePair(
    String userId,
    String pairId,
    String prompt,
    String chosen,
    String rejected,
    String userDescription,
    String domain,
    String split,
    Provenance provenance) {

  public PreferencePair {
    requireText(userId, "user_id");
    requireText(pairId, "pair_id");
    requireText(prompt, "prompt");
    requireText(chosen, "chosen");
    requireText(rejected, "rejected");
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or empty; every preference needs it");
    }
  }

  /** The first non-blank description among one user's pairs, stripped, or null where none has one. */
  public static String firstDescription(java.util.List<PreferencePair> pairs) {
    for (PreferencePair p : pairs) {
      if (p.userDescription() != null && !p.userDescription().isBlank()) return p.userDescription().strip();
    }
    return null;
  }

  /** The same pair with another split label. */
  public PreferencePair withSplit(String newSplit) {
    return new PreferencePair(userId, pairId, prompt, chosen, rejected, userDescription, domain, newSplit, provenance);
  }
}
