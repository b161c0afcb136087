package org.fspo.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.fspo.core.episode.PreferencePair;
import org.fspo.eval.dist.DistributedTrain;
import org.fspo.synth.store.EpisodeStore;
import org.fspo.train.loop.RunLayout;
import org.fspo.train.loop.TrainConfig;
import org.fspo.train.loop.TrainJob;
import org.fspo.train.loop.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fspo train}: SFT then FSPO on the train split of an episode store, into a run folder (layout in
 * docs/train.md and {@link RunLayout}). Spark reads the store; training runs in this JVM ({@link TrainJob}), or
 * with train.distributed.workers &gt; 1 on that many Spark barrier tasks ({@link DistributedTrain}).
 * Prints the effective config and the episode counts to stderr, the policy's folder to stdout.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train a personalized policy: SFT on few-shot prompts, then FSPO (IPO by default) against it.",
    footer = {"", "Architectures for --init (config.json model_type; docs/train.md):",
        "  gpt2     GPT2LMHeadModel: GPT-2, DistilGPT2",
        "  llama    LlamaForCausalLM: Llama 3.2 1B/3B, Llama 3.1 8B (RoPE llama3), SmolLM2, TinyLlama",
        "  qwen2    Qwen2ForCausalLM: Qwen2, Qwen2.5 0.5B-7B (q/k/v biases)",
        "  mistral  MistralForCausalLM: Mistral 7B v0.2/v0.3 (no sliding window)",
        "RoPE types: default, linear, llama3; others (yarn, longrope, dynamic) are refused."})
final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin VerbosityMixin verbosity;
  @Mixin ConfigMixin config;
  @Mixin SparkMixin sparkOptions;

  @Option(names = "--episodes", paramLabel = "DIR", required = true, description = "Episode store folder.")
  Path episodes;

  @Option(names = "--out", paramLabel = "RUN_DIR", required = true,
      description = "Run folder: config.yaml, tokenizer.json, metrics.jsonl, checkpoints/, sft/, final/.")
  Path out;

  @Option(names = "--init", paramLabel = "HF_MODEL_DIR",
      description = "Start from this Hugging Face folder (config.json, model.safetensors, tokenizer.json) instead of "
          + "training train.model's shape from scratch.")
  Path init;

  @Option(names = "--init-adapter", paramLabel = "PEFT_ADAPTER_DIR",
      description = "A PEFT LoRA adapter (adapter_config.json, adapter_model.safetensors) on --init's model, merged "
          + "into it before training. --init may itself be such a folder if its base_model_name_or_path is a local "
          + "model folder.")
  Path initAdapter;

  @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint (only a folder fspo"
      + " train wrote; any other non-empty folder is refused).")
  boolean resume;

  @Option(names = "--ref-cache", paramLabel = "DIR",
      description = "Reference log-prob cache folder to share between runs (default: RUN_DIR/ref-cache).")
  Path refCache;

  @Option(names = "--no-progress", description = "No progress bar on stderr.")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    TrainConfig train = config.loader().section("train", TrainConfig.class);
    List<PreferencePair> pairs;
    PrintWriter err = spec.commandLine().getErr();
    Trainer.Options options = new Trainer.Options(resume, !noProgress, (stage, step) -> false, refCache);
    Trainer.Result result;
    try (SparkSession spark = SparkSessions.start("fspo train", sparkOptions.master(), verbosity.verbose())) {
      pairs = EpisodeStore.loadPreferences(spark, episodes.toString(), "train");
      if (train.data().withDescription()) {
        pairs = RenderCommand.withUserDescriptions(pairs, EpisodeStore.loadUsers(spark, episodes.toString(), "train"));
      }
      // train.distributed.workers > 1: N barrier tasks on the session's executors (docs/train.md)
      result = train.distributed().workers() > 1
          ? DistributedTrain.run(spark, train, pairs, out, init, initAdapter, options, err) : null;
    }
    if (result == null) result = TrainJob.run(train, pairs, out, init, initAdapter, options, err);
    spec.commandLine().getOut().println(result.run().finalModel());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
