package org.fspo.eval.serve;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.episode.PreferencePair;

/**
 * The stored pairs of every user of an episode store ({@code --episodes}), and the server's rule for turning them
 * into a request's shots: a {@link ShotPolicy} with its k, seed and token budget.
 */
public final class UserShots {
  private final Map<String, List<PreferencePair>> byUser = new LinkedHashMap<>();
  private final ShotPolicy policy;
  private final int k;
  private final long seed;
  private final int budget;

  /**
   * Every split is used (a served user is anyone the store knows). Each user's pairs are put in time order: by
   * provenance created_at (rows without one first), ties by pair_id, so the order does not depend on how the store
   * was read.
   */
  public UserShots(List<PreferencePair> pairs, ShotPolicy policy, int k, long seed, int budget) {
    if (k < 0 || budget < 0) throw new IllegalArgumentException("shots and shot budget must be >= 0");
    for (PreferencePair p : pairs) byUser.computeIfAbsent(p.userId(), u -> new ArrayList<>()).add(p);
    Comparator<PreferencePair> time = Comparator.comparing(
        (PreferencePair p) -> p.provenance() == null || p.provenance().createdAt() == null ? ""
            : p.provenance().createdAt()).thenComparing(PreferencePair::pairId);
    byUser.values().forEach(list -> list.sort(time));
    this.policy = policy;
    this.k = k;
    this.seed = seed;
    this.budget = budget;
  }

  /** No store: every user is unknown. */
  public static UserShots none() {
    return new UserShots(List.of(), ShotPolicy.RECENT, 0, 0, 0);
  }

  public boolean knows(String userId) {
    return byUser.containsKey(userId);
  }

  public int users() {
    return byUser.size();
  }

  /** The user's stored description (the first non-blank of their pairs'), or null. */
  public String description(String userId) {
    return PreferencePair.firstDescription(byUser.getOrDefault(userId, List.of()));
  }

  /** The user's shots under the policy; tokens counts a rendered shot for BUDGET. */
  public List<PreferencePair> shots(String userId, ShotPolicy.ShotTokens tokens) {
    List<PreferencePair> pairs = byUser.get(userId);
    if (pairs == null) throw new IllegalArgumentException("unknown user " + userId);
    return policy.choose(pairs, k, seed, budget, tokens);
  }
}
