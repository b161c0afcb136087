package org.fspo.synth.procedural;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ResponseRendererTest {

  private static Map<Attribute, Integer> signs(int pattern) {
    Map<Attribute, Integer> signs = new EnumMap<>(Attribute.class);
    for (Attribute attribute : Attribute.values()) {
      signs.put(attribute, ((pattern >> attribute.ordinal()) & 1) == 1 ? 1 : -1);
    }
    return signs;
  }

  @Test
  void rendersTheWorkedExampleOfTheJavadoc() {
    ResponseRenderer.Phrasing phrasing = new ResponseRenderer.Phrasing(0, 0, new int[] {0, 1, 2}, 0, 0);
    QuestionBank.Topic bread = QuestionBank.TOPICS.get(0);
    assertEquals(
        "certainly. in short: first try something simple then take it slowly. in general results vary.",
        ResponseRenderer.render(bread, signs(0), phrasing));
    Map<Attribute, Integer> longCasualBulletsExampleTechnical = signs(0b11111);
    assertEquals(
        "hey!\n- configure the bread parameters\n- set a clear baseline\n- optimize each iteration\n"
            + "for example try bread with a friend. review it thoroughly.",
        ResponseRenderer.render(bread, longCasualBulletsExampleTechnical, phrasing));
  }

  @Test
  void parseRecoversEveryAttributeVectorForEveryTopicAndPhrasing() {
    SplittableRandom random = new SplittableRandom(7);
    for (int pattern = 0; pattern < 32; pattern++) {
      for (QuestionBank.Topic topic : QuestionBank.TOPICS) {
        for (int draw = 0; draw < 5; draw++) {
          String text = ResponseRenderer.render(topic, signs(pattern), ResponseRenderer.drawPhrasing(random));
          assertEquals(signs(pattern), ResponseRenderer.parse(text), text);
          int words = text.split("\\s+").length;
          assertTrue(words >= 8 && words <= 28, words + " words: " + text);
        }
      }
    }
  }

  @Test
  void questionsContainNoMarkerWordsAndTheVocabularyIsSmall() {
    Set<String> markers = new HashSet<>();
    for (Attribute attribute : Attribute.values()) {
      markers.addAll(attribute.markers(1));
      markers.addAll(attribute.markers(-1));
    }
    Set<String> vocabulary = new HashSet<>();
    for (int q = 0; q < QuestionBank.size(); q++) {
      for (String word : QuestionBank.question(q).toLowerCase(Locale.ROOT).split("[^a-z]+")) {
        assertTrue(!markers.contains(word), "question word '" + word + "' is a marker: " + QuestionBank.question(q));
        vocabulary.add(word);
      }
    }
    SplittableRandom random = new SplittableRandom(11);
    for (int pattern = 0; pattern < 32; pattern++) {
      for (QuestionBank.Topic topic : QuestionBank.TOPICS) {
        String text = ResponseRenderer.render(topic, signs(pattern), ResponseRenderer.drawPhrasing(random));
        vocabulary.addAll(java.util.List.of(text.toLowerCase(Locale.ROOT).split("[^a-z]+")));
      }
    }
    assertTrue(vocabulary.size() < 300, "vocabulary has " + vocabulary.size() + " words");
  }

  @Test
  void parseGivesZeroForTextWithoutMarkers() {
    Map<Attribute, Integer> parsed = ResponseRenderer.parse("I don't know, sorry.");
    parsed.values().forEach(sign -> assertEquals(0, sign));
  }
}
