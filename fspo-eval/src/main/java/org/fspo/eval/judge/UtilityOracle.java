package org.fspo.eval.judge;

/**
 * An exact judge: a user's own latent utility. For procedural users it is synth-data's
 * {@code ProceduralUser.prefers(a, b)}, which reads any response's attributes from its marker words; no server.
 */
@FunctionalInterface
public interface UtilityOracle {
  /** +1 when user {@code userId} prefers {@code a}, -1 when {@code b}, 0 on equal utility. */
  int prefers(String userId, String a, String b);
}
