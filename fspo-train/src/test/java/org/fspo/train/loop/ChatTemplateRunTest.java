package org.fspo.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.ChatFormat;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.tokenizer.ChatModelFolder;
import org.fspo.train.tokenizer.ChatTemplate;
import org.fspo.train.tokenizer.HfTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train.data.chat_template auto end to end on a tiny Llama "chat checkpoint" made here (random weights, the
 * ChatModelFolder tokenizer files): training keeps the template in RUN_DIR, and the finished run scores with it.
 */
class ChatTemplateRunTest {
  static final PrintWriter LOG = new PrintWriter(Writer.nullWriter());

  static Path chatCheckpoint(Path dir, TrainConfig c) throws Exception {
    List<String> corpus = new ArrayList<>();
    for (PreferencePair p : TinyRuns.pairs()) corpus.addAll(List.of(p.prompt(), p.chosen(), p.rejected()));
    ChatModelFolder.write(dir, corpus);
    try (HfTokenizer tok = HfTokenizer.load(dir)) {
      ScratchModel.create(c.model(), tok.vocabSize(), tok.eosId(), c.seed()).save(dir);
    }
    return dir;
  }

  @Test
  void trainsAndScoresThroughTheCheckpointsTemplate(@TempDir Path tmp) throws Exception {
    TrainConfig c = TinyRuns.config("llama", "ipo", "data.chat_template=auto", "model.max_seq_len=200",
        "fspo.steps=2");
    Path init = chatCheckpoint(tmp.resolve("init"), c), out = tmp.resolve("run");
    Trainer.Result r = TrainJob.run(c, TinyRuns.pairs(), out, init, new Trainer.Options(false, false,
        (stage, step) -> false), LOG);
    assertTrue(r.completed());
    assertEquals(Files.readString(init.resolve("tokenizer_config.json")),
        Files.readString(out.resolve("tokenizer_config.json")), "the run keeps the template it trained with");
    try (TrainedRun run = TrainedRun.open(out)) {
      ChatFormat chat = run.chat();
      assertInstanceOf(ChatTemplate.class, chat);
      assertEquals(ChatModelFolder.EOT, chat.endOfTurn());
      List<Episode> episodes = c.data().episodes(TinyRuns.pairs(), 1).epoch(0).subList(0, 4);
      TokenBatch b = run.collator(c.data().format()).collate(episodes).batch();
      for (int[] row : b.inputIds()) assertEquals(ChatModelFolder.BOS_ID, row[0]);
      TrainedRun.Scores s = run.score(episodes, 4);
      for (double v : s.policyChosen()) assertTrue(Double.isFinite(v) && v < 0, "log-prob " + v);
    }
  }

  @Test
  void autoNeedsAChatCheckpoint(@TempDir Path tmp) throws Exception {
    TrainConfig c = TinyRuns.config("llama", "ipo", "data.chat_template=auto");
    FspoUserException scratch = assertThrows(FspoUserException.class, () -> TrainJob.run(c, TinyRuns.pairs(),
        tmp.resolve("a"), null, new Trainer.Options(false, false, (s, n) -> false), LOG));
    assertTrue(scratch.getMessage().startsWith("train.data.chat_template auto needs --init HF_MODEL_DIR"),
        scratch.getMessage());
    Path init = chatCheckpoint(tmp.resolve("init"), c);
    Files.writeString(init.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|eot_id|>\"}");
    FspoUserException none = assertThrows(FspoUserException.class, () -> TrainJob.run(c, TinyRuns.pairs(),
        tmp.resolve("b"), init, new Trainer.Options(false, false, (s, n) -> false), LOG));
    assertEquals(init.resolve("tokenizer_config.json") + " has no chat_template: the checkpoint is not a chat model; "
        + "set train.data.chat_template: none (the paper's raw prompt) or add its chat_template", none.getMessage());
  }
}
