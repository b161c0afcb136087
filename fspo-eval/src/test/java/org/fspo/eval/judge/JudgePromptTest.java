package org.fspo.eval.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fspo.synth.llm.ChatMessage;
import org.junit.jupiter.api.Test;

class JudgePromptTest {
  @Test
  void systemIsAlpacaEvalsAndTheUserMessageHasThePapersSections() {
    List<ChatMessage> messages = JudgePrompt.messages(" Why is the sky blue? ", "first answer", "second answer",
        "A physicist who likes short answers.");
    assertEquals("system", messages.get(0).role());
    assertTrue(messages.get(0).content().startsWith("You are a highly efficient assistant, who evaluates and selects"));
    String user = messages.get(1).content();
    int instruction = user.indexOf("### User Instruction\n\n{\n    \"instruction\": \"\"\"Why is the sky blue?\"\"\",\n}");
    int outputs = user.indexOf("### Model Outputs");
    int m = user.indexOf("\"model_identifier\": \"m\",\n        \"output\": \"\"\"first answer\"\"\"");
    int bigM = user.indexOf("\"model_identifier\": \"M\",\n        \"output\": \"\"\"second answer\"\"\"");
    int description = user.indexOf("### User Description\n\nA physicist who likes short answers.\n");
    assertTrue(instruction > 0 && instruction < outputs && outputs < m && m < bigM && bigM < description, user);
    assertTrue(user.strip().endsWith("### Best Model Identifier"));
    assertTrue(user.contains("nothing else (no quotes, no spaces, no new lines, ...): m or M."));
  }

  @Test
  void placeholdersInsideOutputsAreNotSubstitutedAgain() {
    String user = JudgePrompt.messages("q", "see {output_2} and {user_description}", "b", "desc").get(1).content();
    assertTrue(user.contains("\"\"\"see {output_2} and {user_description}\"\"\""));
  }
}
