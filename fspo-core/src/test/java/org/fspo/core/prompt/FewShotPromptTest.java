package org.fspo.core.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.junit.jupiter.api.Test;

/**
 * Exact-output tests: every expected string is written by hand from the format in issue 2 (the official FSPO
 * {@code shots_to_text}), not produced by the renderer. Inputs carry surrounding whitespace to check the stripping.
 */
class FewShotPromptTest {
  private static final String DESC = "Likes short answers.";

  private static PreferencePair pair(String id, String prompt, String chosen, String rejected) {
    return new PreferencePair("u1", id, prompt, chosen, rejected, "  " + DESC + "\n", "test", "train", null);
  }

  private static final PreferencePair SHOT1 = pair("p1", " What is 2+2? \n", "4", "  Five.  ");
  private static final PreferencePair SHOT2 = pair("p2", "Capital of France?", "\nParis\n", "Lyon");
  private static final PreferencePair QUERY = pair("p3", "\tName a colour. ", " Red ", "I like many colours.\n");
  private static final Episode TWO_SHOTS = new Episode("u1", List.of(SHOT1, SHOT2), QUERY);
  private static final Episode ZERO_SHOTS = new Episode("u1", List.of(), QUERY);

  private static final String SHOTS_WITH_DISPREFERRED =
      "# Example 1\n## Question \nWhat is 2+2?\n## Preferred Response \n4\n## Dispreferred Response \nFive.\n\n"
          + "# Example 2\n## Question \nCapital of France?\n## Preferred Response \nParis\n"
          + "## Dispreferred Response \nLyon\n\n";
  private static final String SHOTS_WITHOUT_DISPREFERRED =
      "# Example 1\n## Question \nWhat is 2+2?\n## Response \n4\n\n"
          + "# Example 2\n## Question \nCapital of France?\n## Response \nParis\n\n";

  @Test
  void withDispreferred() {
    RenderedPair out = FewShotPrompt.render(TWO_SHOTS, PromptFormat.DEFAULT);
    assertEquals(SHOTS_WITH_DISPREFERRED
        + "# Task\nGiven the examples above, generate a preferred response to the following question.\n"
        + "## Question \nName a colour.\n", out.prompt());
    assertEquals("## Preferred Response \nRed\n", out.chosen());
    assertEquals("## Preferred Response \nI like many colours.\n", out.rejected());
  }

  @Test
  void withoutDispreferred() {
    RenderedPair out = FewShotPrompt.render(TWO_SHOTS, new PromptFormat(false, false, false));
    assertEquals(SHOTS_WITHOUT_DISPREFERRED
        + "# Task\nGiven the examples above, generate a response to the following question.\n"
        + "## Question \nName a colour.\n", out.prompt());
    assertEquals("## Response \nRed\n", out.chosen());
    assertEquals("## Response \nI like many colours.\n", out.rejected());
  }

  @Test
  void zeroShots() {
    RenderedPair out = FewShotPrompt.render(ZERO_SHOTS, PromptFormat.DEFAULT);
    assertEquals("# Task\nGenerate a response to the following question.\n## Question \nName a colour.\n",
        out.prompt());
    assertEquals("## Preferred Response \nRed\n", out.chosen());
    assertEquals("## Preferred Response \nI like many colours.\n", out.rejected());
  }

  @Test
  void zeroShotsWithoutDispreferred() {
    RenderedPair out = FewShotPrompt.render(ZERO_SHOTS, new PromptFormat(false, false, false));
    assertEquals("# Task\nGenerate a response to the following question.\n## Question \nName a colour.\n",
        out.prompt());
    assertEquals("## Response \nRed\n", out.chosen());
  }

  @Test
  void cotWithDispreferred() {
    RenderedPair out = FewShotPrompt.render(TWO_SHOTS, new PromptFormat(true, true, false));
    assertEquals(SHOTS_WITH_DISPREFERRED
        + "# Task\nGenerate a user description based on the examples above. Then, generate a preferred response"
        + " to the following question.\n## Question \nName a colour.\n", out.prompt());
    assertEquals("## User Description\nLikes short answers.\n## Preferred Response \nRed\n", out.chosen());
    assertEquals("## User Description\nLikes short answers.\n## Preferred Response \nI like many colours.\n",
        out.rejected());
  }

  @Test
  void cotWithoutDispreferred() {
    RenderedPair out = FewShotPrompt.render(TWO_SHOTS, new PromptFormat(false, true, false));
    assertEquals(SHOTS_WITHOUT_DISPREFERRED
        + "# Task\nGenerate a user description based on the examples above. Then, generate a response"
        + " to the following question.\n## Question \nName a colour.\n", out.prompt());
    assertEquals("## User Description\nLikes short answers.\n## Response \nRed\n", out.chosen());
    assertEquals("## User Description\nLikes short answers.\n## Response \nI like many colours.\n",
        out.rejected());
  }

  @Test
  void teacherForced() {
    RenderedPair out = FewShotPrompt.render(TWO_SHOTS, new PromptFormat(true, true, true));
    assertEquals(SHOTS_WITH_DISPREFERRED
        + "# Task\nGenerate a user description based on the examples above. Then, generate a preferred response"
        + " to the following question.\n## Question \nName a colour.\n## User Description\nLikes short answers.\n",
        out.prompt());
    assertEquals("## Preferred Response \nRed\n", out.chosen());
    assertEquals("## Preferred Response \nI like many colours.\n", out.rejected());
  }

  @Test
  void teacherForcedWithoutDispreferred() {
    RenderedPair out = FewShotPrompt.render(TWO_SHOTS, new PromptFormat(false, true, true));
    assertEquals(SHOTS_WITHOUT_DISPREFERRED
        + "# Task\nGenerate a user description based on the examples above. Then, generate a response"
        + " to the following question.\n## Question \nName a colour.\n## User Description\nLikes short answers.\n",
        out.prompt());
    assertEquals("## Response \nRed\n", out.chosen());
  }

  private static final String ZERO_SHOT_PROMPT =
      "# Task\nGenerate a response to the following question.\n## Question \nName a colour.\n";

  @Test
  void zeroShotsCotUsesThePlainTaskLineAndKeepsTheDescriptionBlock() {
    RenderedPair out = FewShotPrompt.render(ZERO_SHOTS, new PromptFormat(true, true, false));
    assertEquals(ZERO_SHOT_PROMPT, out.prompt());
    assertEquals("## User Description\nLikes short answers.\n## Preferred Response \nRed\n", out.chosen());
    RenderedPair plain = FewShotPrompt.render(ZERO_SHOTS, new PromptFormat(false, true, false));
    assertEquals(ZERO_SHOT_PROMPT, plain.prompt());
    assertEquals("## User Description\nLikes short answers.\n## Response \nI like many colours.\n", plain.rejected());
  }

  @Test
  void zeroShotsTeacherForced() {
    RenderedPair out = FewShotPrompt.render(ZERO_SHOTS, new PromptFormat(true, true, true));
    assertEquals(ZERO_SHOT_PROMPT + "## User Description\nLikes short answers.\n", out.prompt());
    assertEquals("## Preferred Response \nRed\n", out.chosen());
    RenderedPair plain = FewShotPrompt.render(ZERO_SHOTS, new PromptFormat(false, true, true));
    assertEquals(ZERO_SHOT_PROMPT + "## User Description\nLikes short answers.\n", plain.prompt());
    assertEquals("## Response \nRed\n", plain.chosen());
  }

  @Test
  void teacherForcedNeedsDescription() {
    assertThrows(IllegalArgumentException.class, () -> new PromptFormat(true, false, true));
  }
}
