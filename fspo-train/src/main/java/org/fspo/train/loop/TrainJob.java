package org.fspo.train.loop;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.ChatFormat;
import org.fspo.train.data.ShuffledEpisodes;
import org.fspo.train.model.CausalLm;
import org.fspo.train.tokenizer.ChatTemplate;
import org.fspo.train.tokenizer.HfTokenizer;
import org.fspo.train.tokenizer.WordLevelTokenizer;

/**
 * What {@code fspo train} does once the store's training pairs are in memory: pick the tokenizer and the model, then
 * run the {@link Trainer}. Spark-free, so the CLI, the pipeline and tests share it.
 *
 * <ul>
 *   <li>{@code --resume} with RUN_DIR/tokenizer.json present: that tokenizer (the run's own);</li>
 *   <li>{@code --init DIR}: DIR's config.json, model.safetensors and tokenizer.json (a Hugging Face folder), with
 *       {@code --init-adapter}'s PEFT LoRA adapter merged in, or DIR a PEFT adapter naming its base
 *       ({@link InitModel});</li>
 *   <li>otherwise a model of train.model's shape, initialised from the seed, with a {@link WordLevelTokenizer} built
 *       from the training pairs' text (prompts, both responses, user descriptions).</li>
 * </ul>
 *
 * A from-scratch model's size is checked against memory before it is allocated ({@link MemoryBudget}); a resume's
 * config against the run's ({@link ResumeCheck}). Warnings go to {@code log}, one line each.
 */
public final class TrainJob {
  private TrainJob() {}

  /**
   * @param pairs the store's train split
   * @param init  a Hugging Face model folder to start from, or null to train from scratch
   * @param log   where the effective config and the episode counts are printed
   */
  public static Trainer.Result run(TrainConfig config, List<PreferencePair> pairs, Path out, Path init,
      Trainer.Options options, PrintWriter log) {
    return run(config, pairs, out, init, null, options, log);
  }

  /**
   * As above, with {@code initAdapter} (may be null): a PEFT LoRA adapter folder merged into init's model before
   * training ({@link InitModel}; init may also be an adapter folder naming its base).
   */
  public static Trainer.Result run(TrainConfig config, List<PreferencePair> pairs, Path out, Path init,
      Path initAdapter, Trainer.Options options, PrintWriter log) {
    return run(config, pairs, out, init, initAdapter, options, log, Replicas.single());
  }

  /**
   * As above, as one of N data-parallel workers ({@link Replicas}). With N &gt; 1 the folder checks and the claim are
   * the launcher's ({@link #checkFolder}, then {@link RunLayout#claim}, once, before the workers start).
   */
  public static Trainer.Result run(TrainConfig config, List<PreferencePair> pairs, Path out, Path init,
      Path initAdapter, Trainer.Options options, PrintWriter log, Replicas replicas) {
    if (initAdapter != null && init == null) {
      throw new FspoUserException("--init-adapter needs --init BASE_MODEL_DIR, the model the adapter was trained on",
          FspoUserException.USAGE);
    }
    if (pairs.isEmpty()) {
      throw new FspoUserException("the store has no train pairs; import or synthesize data first, or check the "
          + "split (a test fraction of 1 puts every user in test)", FspoUserException.NO_INPUT);
    }
    RunLayout run = new RunLayout(out);
    if (replicas.isSingle()) checkFolder(config, out, options.resume());
    Trainer.Options warned = options.withWarn(message -> {
      log.println("warning: " + message);
      log.flush();
    });
    InitModel start = init == null ? null : InitModel.resolve(init, initAdapter);
    try (HfTokenizer tokenizer = tokenizer(config, pairs, run, start, options.resume())) {
      if (init == null) MemoryBudget.require(config, tokenizer.vocabSize());
      log.print("effective config:\n" + config.toYaml()); // after the checks: a refused config is one line
      CausalLm model = start != null ? start.load()
          : ScratchModel.create(config.model(), tokenizer.vocabSize(), tokenizer.eosId(), config.seed());
      ShuffledEpisodes episodes = config.data().episodes(pairs, config.seed());
      episodes.epoch(0);
      log.println("episodes per epoch: " + episodes.lastCounts().summary() + "; vocabulary " + tokenizer.vocabSize()
          + (init == null ? " (word-level, built from the train split)" : " (from " + init + ")"));
      log.flush();
      ChatFormat chat = chat(config, run, start, options.resume());
      if (chat.isChat()) log.println("chat template: " + chat);
      if (replicas.isSingle()) run.claim(options.resume());
      return new Trainer(config, tokenizer, episodes, out, warned, chat).on(replicas).run(model);
    }
  }

  /** The run folder's refusals (not ours, a run without --resume, a changed config on resume); writes nothing. */
  public static void checkFolder(TrainConfig config, Path out, boolean resume) {
    RunLayout run = new RunLayout(out);
    run.check(resume); // nothing is written until every check has passed
    RunLayout.refuseExisting(out, resume);
    if (resume) ResumeCheck.requireSameConfig(run, config); // before anything is built (Trainer rechecks)
  }

  /**
   * train.data.chat_template auto: the --init checkpoint's tokenizer_config.json (on resume, the copy the run kept
   * in RUN_DIR). A model trained from scratch has no chat template.
   */
  private static ChatFormat chat(TrainConfig config, RunLayout run, InitModel start, boolean resume) {
    if (config.data().chatTemplate() != ChatTemplateMode.AUTO) return ChatFormat.NONE;
    Path kept = run.root().resolve(ChatTemplate.CONFIG_FILE);
    if (resume && Files.isRegularFile(kept)) return ChatTemplate.load(run.root());
    if (start == null) {
      throw new FspoUserException("train.data.chat_template auto needs --init HF_MODEL_DIR, a chat checkpoint with "
          + "its tokenizer_config.json; a model trained from scratch has no chat template (use none)",
          FspoUserException.CONFIG);
    }
    return ChatTemplate.load(start.tokenizerDir());
  }

  private static HfTokenizer tokenizer(TrainConfig config, List<PreferencePair> pairs, RunLayout run,
      InitModel start, boolean resume) {
    if (resume && Files.isRegularFile(run.tokenizer())) return HfTokenizer.load(run.tokenizer());
    if (start != null) {
      Path init = start.tokenizerDir();
      if (!Files.isRegularFile(init.resolve("tokenizer.json"))) {
        throw new FspoUserException(init + ": no tokenizer.json; save the model folder with its tokenizer "
            + "(tokenizer.save_pretrained) so training and scoring tokenize alike", FspoUserException.NO_INPUT);
      }
      return HfTokenizer.load(init);
    }
    List<String> texts = new ArrayList<>(pairs.size() * 3);
    for (PreferencePair p : pairs) {
      texts.add(p.prompt());
      texts.add(p.chosen());
      texts.add(p.rejected());
      if (p.userDescription() != null) texts.add(p.userDescription());
    }
    return WordLevelTokenizer.build(texts, config.model().vocabMax(), config.model().vocabMinCount());
  }
}
