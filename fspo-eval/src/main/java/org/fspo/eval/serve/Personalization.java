package org.fspo.eval.serve;

import java.util.ArrayList;
import java.util.List;
import org.fspo.core.episode.PreferencePair;

/**
 * Who a request is answered for: the shots in its prompt, or for a description-prompted model (the oracle) the user
 * description, and where they came from. A request's {@code fspo_shots} (or {@code fspo_user_description}) win over
 * its {@code user}; a user is looked up only when the server has an episode store; with neither (or for a zero-shot
 * method) the answer is zero-shot, and says so in system_fingerprint and the X-FSPO-Personalization header. The
 * oracle has no zero-shot answer: it needs a description.
 *
 * @param userId      the query's user (the request's user, or {@value ServedModel#ANONYMOUS})
 * @param shots       the shots, in prompt order
 * @param description the user description the prompt carries (the oracle's), or null
 * @param source      "fspo_shots", "fspo_user_description", "user" or "zero-shot"
 */
public record Personalization(String userId, List<PreferencePair> shots, String description, String source) {
  public static final String FROM_REQUEST = "fspo_shots", FROM_DESCRIPTION = "fspo_user_description",
      FROM_USER = "user", ZERO_SHOT = "zero-shot";

  public Personalization(String userId, List<PreferencePair> shots, String source) {
    this(userId, shots, null, source);
  }

  /**
   * What OpenAI's system_fingerprint carries here: "fspo-zero-shot", "fspo-user-4", "fspo-fspo_shots-2", and for a
   * description "fspo-user-description" or "fspo-fspo_user_description".
   */
  public String fingerprint() {
    if (description != null) return source.equals(FROM_USER) ? "fspo-user-description" : "fspo-" + source;
    return source.equals(ZERO_SHOT) ? "fspo-zero-shot" : "fspo-" + source + "-" + shots.size();
  }

  public static Personalization resolve(GenerationRequest r, ServedModel model, UserShots users, boolean hasStore) {
    String userId = r.user() == null || r.user().isBlank() ? ServedModel.ANONYMOUS : r.user();
    if (model.describedUser()) return described(r, model, userId, users, hasStore);
    if (r.description() != null) {
      throw ApiError.invalid(FROM_DESCRIPTION, "fspo_user_description is read only by a model prompted with a user "
          + "description (fspo serve --method oracle); " + model.id() + " reads shots: send fspo_shots or a user");
    }
    if (model.zeroShot()) return new Personalization(userId, List.of(), ZERO_SHOT);
    if (r.shots() != null) {
      boolean withDispreferred = model.format().includeDispreferred();
      List<PreferencePair> shots = new ArrayList<>();
      for (int i = 0; i < r.shots().size(); i++) {
        GenerationRequest.Shot s = r.shots().get(i);
        if (withDispreferred && s.dispreferred() == null) {
          throw ApiError.invalid("fspo_shots[" + i + "].dispreferred", "fspo_shots[" + i + "] needs 'dispreferred': "
              + model.id() + " was trained on shots that show the dispreferred response");
        }
        String rejected = s.dispreferred() == null ? "-" : s.dispreferred(); // not rendered without dispreferred
        shots.add(new PreferencePair(userId, "shot-" + i, s.question(), s.preferred(), rejected, null, null, null,
            null));
      }
      return new Personalization(userId, shots, shots.isEmpty() ? ZERO_SHOT : FROM_REQUEST);
    }
    if (r.user() != null && hasStore) {
      if (!users.knows(r.user())) {
        throw ApiError.notFound("user", "user '" + r.user() + "' is not in the server's episode store; send "
            + "fspo_shots instead, or no user for a zero-shot answer", "user_not_found");
      }
      List<PreferencePair> shots = users.shots(r.user(), p -> model.codec().encode(p.prompt() + "\n" + p.chosen()
          + (model.format().includeDispreferred() ? "\n" + p.rejected() : "")).length);
      return new Personalization(userId, shots, shots.isEmpty() ? ZERO_SHOT : FROM_USER);
    }
    return new Personalization(userId, List.of(), ZERO_SHOT);
  }

  /** The oracle's description: the request's, else the stored user's; a 400 or 404 when there is none. */
  private static Personalization described(GenerationRequest r, ServedModel model, String userId, UserShots users,
      boolean hasStore) {
    if (r.description() != null) {
      return new Personalization(userId, List.of(), r.description().strip(), FROM_DESCRIPTION);
    }
    if (r.user() != null && hasStore) {
      if (!users.knows(r.user())) {
        throw ApiError.notFound("user", "user '" + r.user() + "' is not in the server's episode store; send "
            + "fspo_user_description instead", "user_not_found");
      }
      String stored = users.description(r.user());
      if (stored != null) return new Personalization(userId, List.of(), stored, FROM_USER);
    }
    throw ApiError.invalid(FROM_DESCRIPTION, model.id() + " is prompted with the user's description: send "
        + "fspo_user_description, or the user of --episodes whose description is stored");
  }
}
