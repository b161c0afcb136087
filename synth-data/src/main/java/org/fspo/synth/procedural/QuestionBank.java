package org.fspo.synth.procedural;

import java.util.List;

/**
 * The closed set of procedural questions: {@link #TOPICS} (a task and the noun responses use for it) times
 * {@link #TEMPLATES}. Questions carry no information about any user: every user draws from the same bank, so a
 * model can only learn a user's taste from the shots. No word here is an {@link Attribute} marker (tested).
 */
public final class QuestionBank {

  /** A question topic: {@code task} fills the question template, {@code noun} the response templates. */
  public record Topic(String task, String noun) {}

  public static final List<Topic> TOPICS =
      List.of(
          new Topic("bake bread", "bread"),
          new Topic("learn chess", "chess"),
          new Topic("fix a bike", "bike"),
          new Topic("start running", "running"),
          new Topic("grow tomatoes", "garden"),
          new Topic("learn guitar", "guitar"),
          new Topic("save money", "budget"),
          new Topic("write a resume", "resume"),
          new Topic("learn spanish", "spanish"),
          new Topic("paint a room", "painting"),
          new Topic("cook rice", "rice"),
          new Topic("train a puppy", "puppy"),
          new Topic("sleep better", "sleep"),
          new Topic("study for exams", "study"),
          new Topic("learn to swim", "swimming"),
          new Topic("brew coffee", "coffee"),
          new Topic("plan a trip", "travel"),
          new Topic("clean a kitchen", "kitchen"),
          new Topic("learn to code", "coding"),
          new Topic("take better photos", "photo"),
          new Topic("make new friends", "social"),
          new Topic("meditate", "meditation"),
          new Topic("learn to draw", "drawing"),
          new Topic("build a shelf", "shelf"),
          new Topic("care for a cat", "cat"),
          new Topic("start a blog", "blog"),
          new Topic("learn to knit", "knitting"),
          new Topic("fix a leaky tap", "plumbing"),
          new Topic("ride a horse", "riding"),
          new Topic("learn to sing", "singing"),
          new Topic("bake a cake", "cake"),
          new Topic("learn to juggle", "juggling"));

  /** Question templates; {@code {task}} is replaced by the topic's task. */
  public static final List<String> TEMPLATES =
      List.of(
          "how do i {task}?",
          "what is a good way to {task}?",
          "any advice on how to {task}?",
          "can you explain how to {task}?");

  private QuestionBank() {}

  /** Number of distinct questions: topics x templates. */
  public static int size() {
    return TOPICS.size() * TEMPLATES.size();
  }

  /** The topic of question {@code index} in [0, size()). */
  public static Topic topic(int index) {
    return TOPICS.get(index / TEMPLATES.size());
  }

  /** The text of question {@code index} in [0, size()). */
  public static String question(int index) {
    return TEMPLATES.get(index % TEMPLATES.size()).replace("{task}", topic(index).task());
  }
}
