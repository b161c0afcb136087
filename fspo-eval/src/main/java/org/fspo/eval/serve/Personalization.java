package org.fspo.eval.serve;

import java.util.ArrayList;
import java.util.List;
import org.fspo.core.episode.PreferencePair;

/**
 * Who a request is answered for: the shots in its prompt and where they came from. A request's {@code fspo_shots}
 * win over its {@code user}; a user is looked up only when the server has an episode store; with neither (or for a
 * zero-shot method) the answer is zero-shot, and says so in system_fingerprint and the X-FSPO-Personalization header.
 *
 * @param userId the query's user (the request's user, or {@value ServedModel#ANONYMOUS})
 * @param shots  the shots, in prompt order
 * @param source "fspo_shots", "user" or "zero-shot"
 */
public record Personalization(String userId, List<PreferencePair> shots, String source) {
  public static final String FROM_REQUEST = "fspo_shots", FROM_USER = "user", ZERO_SHOT = "zero-shot";

  /** What OpenAI's system_fingerprint carries here: "fspo-zero-shot", "fspo-user-4", "fspo-fspo_shots-2". */
  public String fingerprint() {
    return source.equals(ZERO_SHOT) ? "fspo-zero-shot" : "fspo-" + source + "-" + shots.size();
  }

  public static Personalization resolve(GenerationRequest r, ServedModel model, UserShots users, boolean hasStore) {
    String userId = r.user() == null || r.user().isBlank() ? ServedModel.ANONYMOUS : r.user();
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
}
