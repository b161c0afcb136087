package org.fspo.synth.stage;

import java.io.Serializable;
import org.fspo.synth.procedural.ProceduralConfig;

/**
 * What {@link ProceduralStages} needs of the {@code synth:} section, so the stages do not depend on the job layer
 * above them (job.SynthConfig builds one with {@code proceduralSpec()}).
 *
 * @param seed         seed of users, pairs and the split
 * @param pairsPerUser labelled pairs per user, at least 1
 * @param testFraction fraction of users in the test split, in [0, 1]
 * @param procedural   the generator's settings
 */
public record ProceduralSpec(long seed, int pairsPerUser, double testFraction, ProceduralConfig procedural)
    implements Serializable {

  public ProceduralSpec {
    if (pairsPerUser < 1) {
      throw new IllegalArgumentException("synth.pairs_per_user must be at least 1, got " + pairsPerUser);
    }
    if (!(testFraction >= 0 && testFraction <= 1)) {
      throw new IllegalArgumentException("synth.test_fraction must be in [0, 1], got " + testFraction);
    }
    if (procedural == null) {
      throw new IllegalArgumentException("synth.procedural is missing");
    }
  }
}
