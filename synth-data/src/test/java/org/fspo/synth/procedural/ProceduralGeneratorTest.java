package org.fspo.synth.procedural;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProceduralGeneratorTest {
  private final ProceduralGenerator generator = new ProceduralGenerator(42, ProceduralConfig.defaults());

  @Test
  void sameSeedSameUsersAndPairs() {
    ProceduralGenerator again = new ProceduralGenerator(42, ProceduralConfig.defaults());
    assertEquals(generator.user(5), again.user(5));
    assertEquals(generator.pairs(5, 16), again.pairs(5, 16));
    assertNotEquals(generator.pairs(5, 16), new ProceduralGenerator(43, ProceduralConfig.defaults()).pairs(5, 16));
  }

  @Test
  void everyFullBlockOfUsersIsExactlyBalancedPerAttribute() {
    for (Attribute attribute : Attribute.values()) {
      int positive = 0;
      for (int u = 0; u < 64; u++) {
        positive += generator.user(u).weight(attribute) > 0 ? 1 : 0;
      }
      assertEquals(32, positive, attribute.key());
    }
  }

  @Test
  void labelsAgreeWithTheUtilityOfTheParsedTextsWithMargin() {
    Set<Integer> diffSizes = new HashSet<>();
    for (int u = 0; u < 40; u++) {
      ProceduralUser user = generator.user(u);
      List<ProceduralPair> pairs = generator.pairs(u, 24);
      assertEquals(24, pairs.size());
      assertEquals(24, new HashSet<>(pairs.stream().map(p -> p.chosen() + "|" + p.rejected() + "|" + p.question())
          .toList()).size(), "duplicate pair");
      for (ProceduralPair pair : pairs) {
        double chosen = user.utility(pair.chosen()), rejected = user.utility(pair.rejected());
        assertTrue(chosen - rejected >= 0.5, pair.toString());
        assertEquals(pair.utilityChosen(), chosen, 1e-9);
        assertEquals(1, user.prefers(pair.chosen(), pair.rejected()));
        int diff = 0;
        for (Attribute attribute : Attribute.values()) {
          diff += pair.chosenSigns().get(attribute).equals(pair.rejectedSigns().get(attribute)) ? 0 : 1;
        }
        diffSizes.add(diff);
      }
    }
    assertEquals(Set.of(1, 2), diffSizes);
  }

  @Test
  void disabledAttributesHaveWeightZeroAndNeverDiffer() {
    ProceduralConfig twoAttributes = new ProceduralConfig(List.of("tone", "length"), 1, 3, 0.5, 0.5, 1.5, 5, 5);
    ProceduralGenerator small = new ProceduralGenerator(1, twoAttributes);
    ProceduralUser user = small.user(3);
    assertEquals(0.0, user.weight(Attribute.JARGON));
    assertEquals("any", user.traits().get("jargon"));
    for (ProceduralPair pair : small.pairs(3, 16)) {
      for (Attribute attribute : List.of(Attribute.FORMAT, Attribute.EXAMPLES, Attribute.JARGON)) {
        assertEquals(pair.chosenSigns().get(attribute), pair.rejectedSigns().get(attribute));
      }
    }
  }

  @Test
  void descriptionListsPreferencesByImportance() {
    ProceduralUser user = new ProceduralUser("u", Map.of(
        "length", -0.6, "tone", 1.4, "format", 1.0, "examples", 0.8, "jargon", -0.55));
    assertEquals("prefers a casual tone, bullet points, concrete examples, short answers and plain words,"
        + " in that order of importance.", user.description());
    assertEquals(Map.of("length", "short", "tone", "casual", "format", "bullets", "examples", "with",
        "jargon", "plain"), user.traits());
  }

  @Test
  void badConfigFailsWithOneLineNamingTheKey() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> new ProceduralConfig(List.of("tone", "colour"), 1, 2, 0.5, 0.5, 1.5, 5, 5));
    assertTrue(error.getMessage().contains("colour"), error.getMessage());
  }

  /** The bench's general setting: 2-3 of 5 attributes matter to each user, pairs differ in 1-3 attributes. */
  private final ProceduralGenerator general =
      new ProceduralGenerator(42, new ProceduralConfig(ProceduralConfig.defaults().attributes(), 1, 3, 0.5, 0.5, 1.5,
          2, 3));

  @Test
  void relevantAttributesAreASubsetOfTheAllRelevantUserWithTwoOrThreeKept() {
    Set<Integer> counts = new HashSet<>();
    int[] matters = new int[Attribute.values().length], positive = new int[Attribute.values().length];
    for (int u = 0; u < 256; u++) {
      ProceduralUser all = generator.user(u), some = general.user(u);
      int relevant = 0;
      for (Attribute attribute : Attribute.values()) {
        double w = some.weight(attribute);
        if (w != 0) {
          relevant++;
          matters[attribute.ordinal()]++;
          positive[attribute.ordinal()] += w > 0 ? 1 : 0;
          assertEquals(all.weight(attribute), w, 0.0, "a relevant weight is the all-relevant user's weight");
        } else {
          assertEquals("any", some.traits().get(attribute.key()));
        }
      }
      counts.add(relevant);
    }
    assertEquals(Set.of(2, 3), counts);
    for (Attribute attribute : Attribute.values()) {
      int n = matters[attribute.ordinal()];
      // 256 users x 2.5 / 5 attributes: about 128 each; signs balanced in expectation (binomial sd ~ 0.045)
      assertTrue(n > 90 && n < 170, attribute.key() + " matters to " + n);
      double share = positive[attribute.ordinal()] / (double) n;
      assertTrue(share > 0.35 && share < 0.65, attribute.key() + " positive share " + share);
    }
  }

  @Test
  void generalSettingPairsDifferInOneToThreeAttributesAndAreDecidedByRelevantOnes() {
    Set<Integer> diffSizes = new HashSet<>();
    boolean irrelevantDiffers = false;
    for (int u = 0; u < 40; u++) {
      ProceduralUser user = general.user(u);
      for (ProceduralPair pair : general.pairs(u, 48)) {
        assertTrue(user.utility(pair.chosen()) - user.utility(pair.rejected()) >= 0.5, pair.toString());
        int diff = 0, relevantDiff = 0;
        for (Attribute attribute : Attribute.values()) {
          if (!pair.chosenSigns().get(attribute).equals(pair.rejectedSigns().get(attribute))) {
            diff++;
            relevantDiff += user.weight(attribute) != 0 ? 1 : 0;
            irrelevantDiffers |= user.weight(attribute) == 0;
          }
        }
        assertTrue(relevantDiff >= 1, "a pair is decided by an attribute that matters: " + pair);
        diffSizes.add(diff);
      }
    }
    assertEquals(Set.of(1, 2, 3), diffSizes);
    assertTrue(irrelevantDiffers, "distractor attributes that do not matter also differ");
  }

  @Test
  void relevantCountsAreValidated() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> ProceduralConfig.defaults().withRelevant(3, 2));
    assertTrue(error.getMessage().contains("min_relevant_attributes"), error.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ProceduralConfig.defaults().withRelevant(0, 2));
  }
}
