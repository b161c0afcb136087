package org.fspo.train.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.Episode;
import org.fspo.core.prompt.ChatFormat;
import org.fspo.train.checkpoint.Checkpoints;
import org.fspo.train.checkpoint.LoadedCheckpoint;
import org.fspo.train.checkpoint.TrainerState;
import org.fspo.train.data.EpisodeSource;
import org.fspo.train.data.PairCollator;
import org.fspo.train.io.ModelWeights;
import org.fspo.train.io.SaveFormat;
import org.fspo.train.loss.MetricNames;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Models;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.lora.LoraAdapters;
import org.fspo.train.optim.Ema;
import org.fspo.train.optim.Gradients;
import org.fspo.train.optim.LrSchedule;
import org.fspo.train.optim.Optimizer;
import org.fspo.train.tokenizer.ChatTemplate;
import org.fspo.train.tokenizer.TextTokenizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SFT then FSPO into a run folder ({@link RunLayout}). Stage 1 trains the few-shot prompt's chosen completion (and
 * the rejected one with sft.include_rejected); its final weights go to sft/ and become the frozen reference of stage
 * 2, whose log-probs are cached on disk ({@link RefLogpCache}). Stage 2 optimizes IPO (or DPO) and writes final/.
 *
 * <p>Each stage starts a fresh optimizer and schedule. Each epoch draws new episodes (new shots) from the source,
 * for stream {@code stage order * 1e6 + epoch}. A step takes {@code batch_pairs x grad_accum} episodes in order.
 * Checkpoints every {@code every_steps} and at each stage's end; {@link Options#resume} continues from the newest
 * (or from sft/ when stage 1 had finished), and the weights then equal an uninterrupted run's. A resume refuses a
 * changed config ({@link ResumeCheck}), passes over unreadable checkpoints for older ones, and drops a torn last
 * metrics row ({@link MetricsLog}); each recovery is one line to {@link Options#warn}. A NaN or infinite
 * loss or gradient norm stops the run before the update ({@link TrainingDivergedException}). With train.lora each
 * stage trains a fresh adapter on a frozen base instead ({@link LoraStages}).
 */
public final class Trainer {
  /** Stops a run after the given stage step (tests; an operator's max-steps). */
  @FunctionalInterface
  public interface StopHook {
    boolean stopAfter(String stage, long step);

    /** True to stop once sft/ is written (the Spark job computes the reference's log-probs in between). */
    default boolean stopAfterSft() {
      return false;
    }
  }

  /**
   * @param resume   continue the run in the folder instead of refusing a non-empty one
   * @param progress draw a progress bar on stderr
   * @param stop     checked after every step
   * @param refCache where the reference log-prob cache lives; null for RUN_DIR/ref-cache. Point several runs at one
   *                 folder to share it: entries are keyed by the reference's hash, so they never mix.
   * @param warn     gets one line per recovered problem (a torn metrics row, an unreadable checkpoint passed over)
   */
  public record Options(boolean resume, boolean progress, StopHook stop, Path refCache, Consumer<String> warn) {
    public Options {
      if (warn == null) warn = message -> System.err.println("warning: " + message);
    }

    public Options(boolean resume, boolean progress, StopHook stop, Path refCache) {
      this(resume, progress, stop, refCache, null);
    }

    public Options(boolean resume, boolean progress, StopHook stop) {
      this(resume, progress, stop, null);
    }

    public static Options defaults() {
      return new Options(false, true, (stage, step) -> false, null);
    }

    public Options withWarn(Consumer<String> to) {
      return new Options(resume, progress, stop, refCache, to);
    }
  }

  /** @param completed false when the stop hook ended the run early */
  public record Result(boolean completed, RunLayout run) {}

  private final TrainConfig config;
  private final TextTokenizer tokenizer;
  private final ChatFormat chat;
  private final EpisodeSource episodes;
  private final RunLayout run;
  private final Options options;
  private final String configYaml;
  private final Checkpoints checkpoints;
  private Replicas replicas = Replicas.single();

  public Trainer(TrainConfig config, TextTokenizer tokenizer, EpisodeSource episodes, Path runDir, Options options) {
    this(config, tokenizer, episodes, runDir, options, ChatFormat.NONE);
  }

  /** @param chat how prompts are wrapped (train.data.chat_template); a ChatTemplate's file is kept in RUN_DIR */
  public Trainer(TrainConfig config, TextTokenizer tokenizer, EpisodeSource episodes, Path runDir, Options options,
      ChatFormat chat) {
    this.chat = chat;
    this.config = config;
    this.tokenizer = tokenizer;
    this.episodes = episodes;
    this.run = new RunLayout(runDir);
    this.options = options;
    this.configYaml = config.toYaml();
    this.checkpoints = new Checkpoints(run.checkpoints());
  }

  /** Makes this trainer one of N data-parallel workers ({@link Replicas}: rank 0 alone writes RUN_DIR). */
  public Trainer on(Replicas peers) {
    this.replicas = peers;
    return this;
  }

  /** Trains {@code model} (fresh or --init weights; on resume its weights are replaced by the checkpoint's). */
  public Result run(CausalLm model) {
    if (tokenizer.vocabSize() > model.vocabSize()) {
      throw new FspoUserException("the tokenizer has " + tokenizer.vocabSize() + " ids but the model only "
          + model.vocabSize() + "; use the model's own tokenizer.json", FspoUserException.CONFIG);
    }
    if (options.resume()) ResumeCheck.requireSameConfig(run, config);
    boolean sftDone = options.resume() && ModelWeights.present(run.sft());
    if (options.resume() && LoraStages.finished(run)) return new Result(true, run);
    TransformerLm lora = config.lora().enabled() ? LoraStages.adaptable(model) : null; // LoRA: see LoraStages
    if (model instanceof TransformerLm t) t.setActivationCheckpointing(config.activationCheckpointing());
    // once sft/ is written, stage-1 checkpoints are history, and stage 2 can always restart from sft/
    LoadedCheckpoint latest = !options.resume() ? null
        : checkpoints.newestReadable(sftDone ? TrainerState.FSPO : null, sftDone, options.warn());
    TrainerState state = latest == null ? null : latest.state();
    if (replicas.writes()) prepareFolder();
    PairCollator collator = new PairCollator(tokenizer, config.data().format(), chat,
        Math.min(config.model().maxSeqLen(), model.maxPositions()), config.model().minResponseTokens());
    TrainerState logFrom = state != null ? state
        : sftDone ? new TrainerState(TrainerState.FSPO, 0, 0, 0, 0, config.seed(), 0, null) : null;
    long shard = config.save().format().maxShardBytes();
    if (state == null && !sftDone && replicas.writes()) { // the base, for eval
      saveFolder(model, run.init(), new SaveFormat(false, shard));
    }
    try (MetricsLog log = new MetricsLog(replicas.writes() ? run.metrics() : null, logFrom, options.warn())) {
      if (!sftDone) {
        Optimizer opt = config.optim().newOptimizer();
        TrainerState from = null;
        boolean resumeSft = state != null && state.stage().equals(TrainerState.SFT);
        if (lora != null) {
          if (resumeSft) Checkpoints.loadWeights(run.init(), lora); // the frozen base; the checkpoint is the adapter
          LoraStages.attachFresh(lora, config.lora(), config.seed(), TrainerState.SFT);
        }
        if (resumeSft) {
          latest.restore(model, opt);
          from = state;
        }
        if (!runStage(TrainerState.SFT, config.sft(), model, opt, from, null, null, collator, log)) {
          return new Result(false, run);
        }
        if (lora != null) LoraAdapters.merge(lora); // sft/ = base + s B A: stage 2's base and reference
        if (replicas.writes()) saveFolder(model, run.sft(), new SaveFormat(true, shard)); // F32: exactly as trained
        replicas.barrier(); // the other workers read sft/ next
        if (options.stop().stopAfterSft()) return new Result(false, run);
      }
      String refHash = ModelWeights.hash(run.sft());
      Optimizer opt = config.optim().newOptimizer();
      TrainerState from = null;
      boolean resumeFspo = state != null && state.stage().equals(TrainerState.FSPO);
      if (lora != null) {
        // the base as saved, bit for bit: re-read unless the merged weights in memory are what sft/ holds (all F32)
        if (sftDone || !LoraStages.allF32(run.sft())) Checkpoints.loadWeights(run.sft(), lora);
        LoraStages.attachFresh(lora, config.lora(), config.seed(), TrainerState.FSPO);
      }
      if (resumeFspo) {
        latest.restore(model, opt);
        from = state;
      } else if (sftDone && lora == null) {
        Checkpoints.loadWeights(run.sft(), model);
      }
      CausalLm reference = lora != null ? LoraStages.adapterOff(lora) : Models.load(run.sft());
      // the reference never runs backward: its forward keeps block inputs only (same log-probs, bit for bit)
      if (lora == null && reference instanceof TransformerLm t) t.setActivationCheckpointing(true);
      Path cacheDir = options.refCache() == null ? run.refCache() : options.refCache();
      try (RefLogpCache cache = new RefLogpCache(reference, cacheDir, refHash)) {
        if (!runStage(TrainerState.FSPO, config.fspo(), model, opt, from, cache, refHash, collator, log)) {
          return new Result(false, run);
        }
      }
      if (!replicas.writes()) return new Result(true, run);
      if (lora != null) saveAdapter(lora, run.finalModel(), run.sft());
      else saveFolder(model, run.finalModel(), config.save().format());
      return new Result(true, run);
    }
  }

  private void prepareFolder() {
    Path root = run.root();
    RunLayout.refuseExisting(root, options.resume());
    try {
      Files.createDirectories(root);
      // on resume config.yaml stays the run's record (ResumeCheck allowed only keys that do not change the run)
      if (!options.resume() || !Files.exists(run.config())) Files.writeString(run.config(), configYaml);
      if (!options.resume() || !Files.exists(run.tokenizer())) tokenizer.save(run.tokenizer());
      if (chat instanceof ChatTemplate template) template.keepIn(run.root()); // eval renders with the same template
    } catch (IOException e) {
      throw new FspoUserException(root + ": cannot write the run folder (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }

  /** @return false when the stop hook ended the stage early */
  private boolean runStage(String stage, StageConfig sc, CausalLm model, Optimizer opt, TrainerState from,
      RefLogpCache ref, String refHash, PairCollator collator, MetricsLog log) {
    int pps = config.optim().pairsPerStep();
    List<Episode> first = episodes.epoch(stream(stage, 0));
    if (first.isEmpty()) {
      throw new FspoUserException("no training episodes: the store's train split has no user with 2 or more pairs "
          + "(or train.data.short_user_policy=skip left none)");
    }
    long perEpoch = (first.size() + pps - 1) / pps;
    long total = sc.steps() > 0 ? sc.steps() : sc.epochs() * perEpoch;
    LrSchedule schedule = config.optim().schedule(sc.lr(), total);
    long step = from == null ? 0 : from.step(), epoch = from == null ? 0 : from.epoch();
    long inEpoch = from == null ? 0 : from.stepInEpoch();
    DataParallelStep parallel = new DataParallelStep(collator, config.optim().batchPairs(), replicas);
    replicas.requireSameWeights(stage, step, model); // resumed from the same checkpoint
    try (ProgressBar bar = options.progress() ? bar(stage, total, step) : null) {
      while (step < total) {
        List<Episode> eps = epoch == 0 ? first : episodes.epoch(stream(stage, epoch));
        long steps = (eps.size() + pps - 1) / pps;
        for (long s = inEpoch; s < steps && step < total; s++) {
          List<Episode> slice = eps.subList((int) (s * pps), (int) Math.min(eps.size(), (s + 1) * pps));
          long t0 = System.nanoTime();
          LoraStages.dropout(model, config.seed(), stage, step); // train.lora.dropout's masks for this step
          TrainStep.Outcome o = parallel.compute(stage, sc, model, ref, slice); // this worker's shard, summed
          LoraStages.dropout(model, config.seed(), stage, -1);
          double loss = o.metrics().get(MetricNames.LOSS);
          if (!Double.isFinite(loss)) throw diverged(stage, step + 1, "the loss is " + loss);
          double norm = Gradients.clip(o.grads(), config.optim().gradClip());
          if (!Double.isFinite(norm)) throw diverged(stage, step + 1, "the gradient norm is " + norm);
          double lr = schedule.at(step);
          opt.step(model.parameters(), o.grads(), lr);
          o.grads().values().forEach(INDArray::close);
          step++;
          boolean save = step % config.checkpoint().everySteps() == 0 || step == total;
          replicas.afterUpdate(stage, step, save, model, opt);
          boolean epochEnds = s + 1 == steps;
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("stage", stage);
          row.put("step", step);
          row.put("epoch", epoch + (s + 1.0) / steps);
          row.putAll(o.metrics());
          row.put(MetricNames.GRAD_NORM, norm);
          row.put(MetricNames.LEARNING_RATE, lr);
          row.put(MetricNames.TOKENS_PER_SECOND, o.tokens() / ((System.nanoTime() - t0) / 1e9));
          log.write(row);
          if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(String.format(" loss %.4g", loss));
          }
          TrainerState state = new TrainerState(stage, step, epochEnds ? epoch + 1 : epoch, epochEnds ? 0 : s + 1,
              opt.steps(), config.seed(), stream(stage, epochEnds ? epoch + 1 : epoch), refHash);
          if (save && replicas.writes()) {
            checkpoints.write(model, opt, state, configYaml, config.checkpoint().keepLast());
          }
          if (options.stop().stopAfter(stage, step)) return false;
        }
        epoch++;
        inEpoch = 0;
      }
    }
    if (opt instanceof Ema ema) ema.copyInto(model.parameters()); // train.optim.ema_decay: the stage ends averaged
    return true;
  }

  /** The sampler stream of a stage's epoch: stages draw different episodes. */
  static long stream(String stage, long epoch) {
    return (stage.equals(TrainerState.SFT) ? 1_000_000L : 2_000_000L) + epoch;
  }

  private TrainingDivergedException diverged(String stage, long step, String what) {
    Path last = checkpoints.latest();
    return new TrainingDivergedException(stage + " step " + step + ": " + what + "; stopped before updating the "
        + "weights. " + (last == null ? "No checkpoint was written yet" : "The last good checkpoint is " + last)
        + ". Lower train." + stage + ".lr or set train.optim.grad_clip, then train into a new --out folder ("
        + "--resume continues only with the run's own config)");
  }

  private ProgressBar bar(String stage, long total, long done) {
    return new ProgressBarBuilder().setTaskName(stage).setInitialMax(total).startsFrom(done, java.time.Duration.ZERO)
        .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
        .setUnit(" steps", 1).showSpeed().setUpdateIntervalMillis(500).build();
  }

  private void saveFolder(CausalLm model, Path dir, SaveFormat format) {
    ModelFolders.save(model, dir, format, tokenizer);
  }

  private void saveAdapter(TransformerLm model, Path dir, Path base) {
    ModelFolders.saveAdapter(model, dir, base, tokenizer);
  }
}
