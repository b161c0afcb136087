package org.fspo.eval.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.episode.Episode;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.eval.scoring.EvalEpisodesTest;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Decoder;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.tokenizer.ChatTemplate;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

public class ModelResponseWriterTest {
  /** Vocabulary of whole strings; the "model" emits a fixed script of them, then EOS (id 0). */
  public static final class Script implements TextCodec, CausalLm {
    final List<String> vocab = new ArrayList<>(List.of("<eos>"));
    final int[] script;
    final List<String> prompts = new ArrayList<>();

    public Script(String... pieces) {
      script = new int[pieces.length + 1];
      for (int i = 0; i < pieces.length; i++) {
        vocab.add(pieces[i]);
        script[i] = i + 1;
      }
    }

    @Override public int[] encode(String text) { prompts.add(text); return new int[] {0}; }
    @Override public String decode(int[] ids) {
      StringBuilder s = new StringBuilder();
      for (int id : ids) s.append(vocab.get(id));
      return s.toString();
    }
    @Override public int eosId() { return 0; }
    @Override public String family() { return "script"; }
    @Override public int vocabSize() { return vocab.size(); }
    @Override public int maxPositions() { return 1000; }
    @Override public LinkedHashMap<String, INDArray> parameters() { return new LinkedHashMap<>(); }
    @Override public INDArray logits(TokenBatch b) { throw new UnsupportedOperationException(); }
    @Override public Forward forward(TokenBatch b) { throw new UnsupportedOperationException(); }
    @Override public Map<String, INDArray> backward(Forward f, double[] d) { throw new UnsupportedOperationException(); }
    @Override public void save(Path dir) { throw new UnsupportedOperationException(); }

    @Override
    public Decoder decoder() {
      return new Decoder() {
        int i;

        float[] peak() {
          float[] z = new float[vocab.size()];
          z[script[Math.min(i, script.length - 1)]] = 9f;
          return z;
        }

        @Override public float[] prefill(int[] ids) { i = 0; return peak(); }
        @Override public float[] step(int id) { i++; return peak(); }
        @Override public int length() { return i; }
        @Override public void close() {}
      };
    }
  }

  static Episode episode() {
    return new org.fspo.eval.scoring.EvalEpisodes(List.of(2), 1, 1).plan(EvalEpisodesTest.store())
        .episodes().get(0).episode();
  }

  static ModelResponseWriter writer(Script s, PromptFormat format, boolean zeroShot) {
    return new ModelResponseWriter(new Generator(s, new SamplingConfig(0, 1, 50, 0), 0), s, format, zeroShot, "m");
  }

  @Test
  void plainFormatPromptsWithTheResponseHeaderAndStopsAtANewSection() {
    Script s = new Script("hey! ", "- try it", "\n# Example 9", "ignored");
    assertEquals("hey! - try it", writer(s, PromptFormat.DEFAULT, false).respond(episode()));
    assertTrue(s.prompts.get(0).endsWith("## Question \nq" + episode().query().prompt().substring(1)
        + "\n## Preferred Response \n"), s.prompts.get(0));
    assertTrue(s.prompts.get(0).startsWith("# Example 1\n"));
  }

  @Test
  void withAChatTemplateThePromptIsTheTemplatesRenderingThenTheResponseHeader() {
    Script s = new Script("hey!", "\n# Example 9");
    ChatTemplate chat = new ChatTemplate("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
        + "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}", null, "<|im_end|>", "t");
    ModelResponseWriter w = new ModelResponseWriter(new Generator(s, new SamplingConfig(0, 1, 50, 0), 0), s,
        PromptFormat.DEFAULT, true, "m", chat);
    assertEquals("hey!", w.respond(episode()));
    assertEquals("<|im_start|>user\n# Task\nGenerate a response to the following question.\n## Question \n"
        + episode().query().prompt().strip() + "\n<|im_end|>\n<|im_start|>assistant\n## Preferred Response \n",
        s.prompts.get(0));
  }

  @Test
  void zeroShotMethodSeesNoShots() {
    Script s = new Script("ok");
    writer(s, PromptFormat.DEFAULT, true).respond(episode());
    assertTrue(s.prompts.get(0).startsWith("# Task\nGenerate a response to the following question.\n"));
  }

  @Test
  void cotWritesItsDescriptionThenTheResponseAfterTheHeader() {
    Script s = new Script("likes dogs\n", "## Preferred Response\n", "woof", "\n");
    assertEquals("woof", writer(s, new PromptFormat(true, true, false), false).respond(episode()));
    assertTrue(s.prompts.get(0).endsWith("\n## Question \nq" + episode().query().prompt().substring(1)
        + "\n## User Description\n"), s.prompts.get(0));
    assertTrue(s.prompts.get(0).contains("Generate a user description based on the examples above."));
  }

  @Test
  void generationStopsAtTheNewSectionNotAfterItAndSaysHowItEnded() {
    Script s = new Script("hey! ", "- try it", "\n# Example 9", "ignored", "more");
    ModelResponseWriter.Sample cut = writer(s, PromptFormat.DEFAULT, false).sample(episode());
    assertEquals("hey! - try it", cut.response());
    assertEquals(3, cut.tokens()); // "ignored" and "more" are never generated
    assertFalse(cut.endedAtEos());
    ModelResponseWriter.Sample eos = writer(new Script("ok", "\n"), PromptFormat.DEFAULT, false).sample(episode());
    assertEquals("ok", eos.response());
    assertEquals(2, eos.tokens());
    assertTrue(eos.endedAtEos());
  }

  @Test
  void cotDoesNotStopAtItsOwnResponseHeaderOnlyAtTheSectionAfterTheResponse() {
    Script s = new Script("likes dogs\n", "## Preferred Response\n", "woof", "\n# Example 9", "ignored");
    ModelResponseWriter.Sample sample = writer(s, new PromptFormat(true, true, false), false).sample(episode());
    assertEquals("woof", sample.response());
    assertEquals(4, sample.tokens());
    assertEquals("likes dogs\n## Preferred Response\nwoof\n# Example 9", sample.raw());
  }
}
