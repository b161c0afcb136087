package org.fspo.train.loop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.Episode;
import org.fspo.core.prompt.ChatFormat;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.train.data.PairCollator;
import org.fspo.train.io.ModelWeights;
import org.fspo.train.model.Models;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.lora.PeftFiles;
import org.fspo.train.tokenizer.HfTokenizer;

/**
 * A finished run folder opened for evaluation: the policy (final/), the reference (sft/, the stage-1 model FSPO was
 * trained against), the tokenizer and the run's config. Scores episodes with both models in one call.
 *
 * <pre>
 *   try (TrainedRun run = TrainedRun.open(Path.of("runs/demo"))) {
 *     TrainedRun.Scores s = run.score(episodes, 8);         // per pair: policy/ref x chosen/rejected
 *     double reward = run.config().fspo().beta() * (s.policyChosen()[0] - s.refChosen()[0]);
 *   }
 * </pre>
 */
public final class TrainedRun implements AutoCloseable {
  private final TrainConfig config;
  private final HfTokenizer tokenizer;
  private final TransformerLm policy;
  private final TransformerLm reference;
  private final RunLayout layout;
  private TransformerLm base;
  private ChatFormat chat;

  private TrainedRun(RunLayout layout, TrainConfig config, HfTokenizer tokenizer, TransformerLm policy,
      TransformerLm reference) {
    this.layout = layout;
    this.config = config;
    this.tokenizer = tokenizer;
    this.policy = policy;
    this.reference = reference;
  }

  /** Opens RUN_DIR; final/ must exist (a finished run). */
  public static TrainedRun open(Path runDir) {
    RunLayout run = new RunLayout(runDir);
    // final/ is a full model (one file or shards), or a LoRA run's PEFT adapter on sft/
    for (Path model : List.of(run.finalModel(), run.sft())) {
      boolean present = ModelWeights.present(model) || (model.equals(run.finalModel()) && LoraStages.isAdapter(model));
      if (!present) {
        throw new FspoUserException(runDir + " is not a finished run: " + model + " has no weights; train "
            + "it with fspo train --out " + runDir, FspoUserException.NO_INPUT);
      }
    }
    for (Path need : List.of(run.tokenizer(), run.config())) {
      if (!Files.isRegularFile(need)) {
        throw new FspoUserException(runDir + " is not a finished run: " + need.getFileName() + " is missing under "
            + need.getParent() + "; train it with fspo train --out " + runDir, FspoUserException.NO_INPUT);
      }
    }
    TrainConfig config = TrainConfig.load(run.config(), List.of());
    return new TrainedRun(run, config, HfTokenizer.load(run.tokenizer()), LoraStages.loadPolicy(run),
        Models.load(run.sft()));
  }

  /** Whether runDir's final/ holds a finished policy (a full model, or a LoRA run's adapter on sft/). */
  public static boolean isFinished(Path runDir) {
    return LoraStages.finished(new RunLayout(runDir));
  }

  public TrainConfig config() {
    return config;
  }

  public HfTokenizer tokenizer() {
    return tokenizer;
  }

  /** The FSPO policy (final/; a LoRA run's: sft/ with final/'s adapter attached). */
  public TransformerLm policy() {
    return policy;
  }

  /** The stage-1 model (sft/): FSPO's reference, and the few-shot Pref-FT baseline. */
  public TransformerLm reference() {
    return reference;
  }

  /**
   * The model training started from (init/: the seeded initialisation or --init's weights), loaded on first use:
   * the base the few-shot Pref-FT baseline (sft/) is scored against. A user error if the run predates init/.
   */
  public TransformerLm base() {
    if (base == null) {
      if (!ModelWeights.present(layout.init())) {
        throw new FspoUserException(layout.init() + " is missing; retrain the run to get its base model",
            FspoUserException.NO_INPUT);
      }
      base = Models.load(layout.init());
    }
    return base;
  }

  /** The collator training used (max_seq_len, min_response_tokens), for the given prompt format. */
  public PairCollator collator(PromptFormat format) {
    return new PairCollator(tokenizer, format, chat(), Math.min(config.model().maxSeqLen(), policy.maxPositions()),
        config.model().minResponseTokens());
  }

  /**
   * How the run's prompts are wrapped: the paper's raw prompt, or (train.data.chat_template: auto) the chat
   * template kept in RUN_DIR/tokenizer_config.json; scoring and sampling render with it as training did.
   */
  public ChatFormat chat() {
    if (chat == null) chat = config.data().chat(layout.root());
    return chat;
  }

  /** Per-pair summed log-probs; index i is episode i. */
  public record Scores(double[] policyChosen, double[] policyRejected, double[] refChosen, double[] refRejected) {}

  /** Scores episodes in the run's own prompt format, {@code batchPairs} pairs per forward pass, no gradients. */
  public Scores score(List<Episode> episodes, int batchPairs) {
    PairCollator collator = collator(config.data().format());
    double[][] pi = new PairScorer(policy, collator, batchPairs).scoreEpisodes(episodes);
    double[][] ref = new PairScorer(reference, collator, batchPairs).scoreEpisodes(episodes);
    int n = episodes.size();
    double[] pc = new double[n], pr = new double[n], rc = new double[n], rr = new double[n];
    for (int i = 0; i < n; i++) {
      pc[i] = pi[i][0];
      pr[i] = pi[i][1];
      rc[i] = ref[i][0];
      rr[i] = ref[i][1];
    }
    return new Scores(pc, pr, rc, rr);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
