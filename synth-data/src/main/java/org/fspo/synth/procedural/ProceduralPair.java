package org.fspo.synth.procedural;

import java.util.Map;

/**
 * One generated, labelled pair of a procedural user. {@code utilityChosen > utilityRejected} always holds, by at
 * least the configured margin.
 */
public record ProceduralPair(
    String userId,
    int pairIndex,
    int questionIndex,
    String question,
    String chosen,
    String rejected,
    Map<Attribute, Integer> chosenSigns,
    Map<Attribute, Integer> rejectedSigns,
    double utilityChosen,
    double utilityRejected) {

  public ProceduralPair {
    chosenSigns = Map.copyOf(chosenSigns);
    rejectedSigns = Map.copyOf(rejectedSigns);
  }
}
