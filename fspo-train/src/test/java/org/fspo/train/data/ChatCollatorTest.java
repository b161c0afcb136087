package org.fspo.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.fspo.core.FspoUserException;
import org.fspo.core.prompt.FewShotPrompt;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.core.prompt.RenderedPair;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.tokenizer.ChatModelFolder;
import org.fspo.train.tokenizer.ChatTemplate;
import org.fspo.train.tokenizer.HfTokenizer;
import org.fspo.train.tokenizer.WordLevelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collator with train.data.chat_template auto, on a tiny model folder whose tokenizer_config.json holds the
 * published Llama 3.2 Instruct template: the rows hold exactly the text transformers' apply_chat_template gives for
 * the few-shot prompt as one user message (written out below by hand, in the form of the jinja2 references), one
 * BOS, and completions closed by {@code <|eot_id|>} with no EOS after it.
 */
class ChatCollatorTest {
  /** The worked example's episode (one shot), as apply_chat_template renders its prompt. */
  static final String PROMPT = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
      + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
      + "<|start_header_id|>user<|end_header_id|>\n\n"
      + "# Example 1\n## Question \nPick?\n## Preferred Response \nA\n## Dispreferred Response \nB\n\n"
      + "# Task\nGiven the examples above, generate a preferred response to the following question.\n"
      + "## Question \nWhich one wins?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";

  static HfTokenizer tokenizer(Path dir) throws Exception {
    ChatModelFolder.write(dir, List.of(PROMPT, "yes no"));
    return HfTokenizer.load(dir);
  }

  static int[] concat(int[]... parts) {
    return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
  }

  @Test
  void rowsHoldTheChatRenderingWithOneBosAndEndOfTurn(@TempDir Path tmp) throws Exception {
    try (HfTokenizer tok = tokenizer(tmp)) {
      ChatTemplate chat = ChatTemplate.load(tmp);
      PairCollator collator = new PairCollator(tok, PromptFormat.DEFAULT, chat, 1000, 4);
      TokenBatch b = collator.collate(List.of(PairCollatorTest.EXAMPLE)).batch();
      int[] prompt = tok.encode(PROMPT);
      int[] chosen = concat(prompt, tok.encode("## Preferred Response \nyes\n<|eot_id|>"));
      int[] rejected = concat(prompt, tok.encode("## Preferred Response \nno no no no no no no no\n<|eot_id|>"));
      int t = rejected.length;
      int[] padded = Arrays.copyOf(chosen, t);
      Arrays.fill(padded, chosen.length, t, tok.padId());
      assertArrayEquals(padded, b.inputIds()[0]);
      assertArrayEquals(rejected, b.inputIds()[1]);
      assertEquals(ChatModelFolder.EOT_ID, chosen[chosen.length - 1], "the reply ends with <|eot_id|>");
      for (int[] row : b.inputIds()) {
        assertEquals(ChatModelFolder.BOS_ID, row[0]);
        assertEquals(1, IntStream.of(row).filter(id -> id == ChatModelFolder.BOS_ID).count(), "exactly one BOS");
        assertFalse(IntStream.of(row).anyMatch(id -> id == ChatModelFolder.EOS_ID), "no EOS after the end of turn");
      }
      // the response mask covers the completion through <|eot_id|>
      assertEquals(chosen.length - prompt.length, IntStream.of(b.responseMask()[0]).sum());
      assertEquals(1, b.responseMask()[0][chosen.length - 1]);
      assertEquals(ChatModelFolder.EOT_ID, PairCollator.stopId(tok, chat));
    }
  }

  @Test
  void scoringWrapsRawRenderedPairsExactlyAsTrainingDoes(@TempDir Path tmp) throws Exception {
    try (HfTokenizer tok = tokenizer(tmp)) {
      PairCollator collator = new PairCollator(tok, PromptFormat.DEFAULT, ChatTemplate.load(tmp), 1000, 4);
      TokenBatch training = collator.collate(List.of(PairCollatorTest.EXAMPLE)).batch();
      RenderedPair raw = FewShotPrompt.render(PairCollatorTest.EXAMPLE, PromptFormat.DEFAULT); // what eval renders
      TokenBatch scoring = collator.collateRendered(List.of(raw)).batch();
      assertArrayEquals(training.inputIds(), scoring.inputIds());
      assertArrayEquals(training.responseMask(), scoring.responseMask());
    }
  }

  @Test
  void encodingWithSpecialTokensWouldAddASecondBos(@TempDir Path tmp) throws Exception {
    // the check above can fail: this tokenizer's post-processor prepends BOS, as Llama 3's does
    tokenizer(tmp).close();
    try (HuggingFaceTokenizer raw = HuggingFaceTokenizer.newInstance(tmp.resolve("tokenizer.json"),
        Map.of("addSpecialTokens", "true"))) {
      long[] ids = raw.encode(PROMPT).getIds();
      assertEquals(2, Arrays.stream(ids).filter(id -> id == ChatModelFolder.BOS_ID).count());
    }
  }

  @Test
  void anEndOfTurnTheTokenizerSplitsIsAOneLineError(@TempDir Path tmp) throws Exception {
    ChatModelFolder.write(tmp, List.of(PROMPT));
    WordLevelTokenizer plain = WordLevelTokenizer.build(List.of("Which one wins?"), 100, 1); // no chat tokens
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> new PairCollator(plain, PromptFormat.DEFAULT, ChatTemplate.load(tmp), 1000, 4));
    assertTrue(e.getMessage().startsWith("auto (" + tmp.resolve("tokenizer_config.json") + "): the chat template "
        + "ends a reply with \"<|eot_id|>\", which the tokenizer splits into 5 tokens;"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }
}
