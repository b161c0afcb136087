package org.fspo.eval.judge;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.episode.UserRecord;
import org.fspo.eval.metrics.BalancedAccuracy;
import org.fspo.eval.metrics.SampleRating;
import org.fspo.synth.procedural.Attribute;
import org.fspo.synth.procedural.ProceduralUser;
import org.fspo.synth.procedural.ResponseRenderer;

/**
 * The {@link UtilityOracle} of procedural users: each user's stored utility_weights rebuilt into synth-data's
 * {@link ProceduralUser}, whose utility reads any response's attributes from its marker words. Users without
 * weights (imported or LLM-synthesized data) have no oracle: {@link #covers} says whether every user has one.
 */
public final class ProceduralOracle implements UtilityOracle, SampleRater {
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
    return user(userId).prefers(a, b);
  }

  /**
   * Well formed: {@link ResponseRenderer#parse} reads a sign for every attribute (every rendered response has
   * one). Utility {@code sum_a w_a x_a}; its range over all responses is +-sum_a |w_a|, since each x_a can be -1 or
   * +1 whatever the question.
   */
  @Override
  public SampleRating rate(String userId, String text) {
    ProceduralUser user = user(userId);
    Map<Attribute, Integer> signs = ResponseRenderer.parse(text);
    boolean complete = signs.values().stream().allMatch(x -> x != 0) && signs.size() == Attribute.values().length;
    double range = 0;
    for (Attribute a : Attribute.values()) {
      range += Math.abs(user.weight(a));
    }
    return new SampleRating(complete, user.utility(signs), -range, range);
  }

  @Override
  public String pattern(String userId) {
    ProceduralUser user = users.get(userId);
    return user == null ? null : BalancedAccuracy.pattern(user.weights());
  }

  private ProceduralUser user(String userId) {
    ProceduralUser user = users.get(userId);
    if (user == null) {
      throw new IllegalArgumentException("user " + userId + " has no utility weights; judge it with --judge-config");
    }
    return user;
  }
}
