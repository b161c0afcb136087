package org.fspo.eval.judge;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.episode.UserRecord;
import org.fspo.synth.procedural.ProceduralUser;

/**
 * The {@link UtilityOracle} of procedural users: each user's stored utility_weights rebuilt into synth-data's
 * {@link ProceduralUser}, whose utility reads any response's attributes from its marker words. Users without
 * weights (imported or LLM-synthesized data) have no oracle: {@link #covers} says whether every user has one.
 */
public final class ProceduralOracle implements UtilityOracle {
  private final Map<String, ProceduralUser> users = new HashMap<>();

  public ProceduralOracle(List<UserRecord> records) {
    for (UserRecord r : records) {
      if (!r.utilityWeights().isEmpty()) {
        users.put(r.userId(), ProceduralUser.fromStore(r.userId(), r.utilityWeights()));
      }
    }
  }

  /** True when every listed user has latent utility weights. */
  public boolean covers(List<String> userIds) {
    return !userIds.isEmpty() && users.keySet().containsAll(userIds);
  }

  @Override
  public int prefers(String userId, String a, String b) {
    ProceduralUser user = users.get(userId);
    if (user == null) {
      throw new IllegalArgumentException("user " + userId + " has no utility weights; judge it with --judge-config");
    }
    return user.prefers(a, b);
  }
}
