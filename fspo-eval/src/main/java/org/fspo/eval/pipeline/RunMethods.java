package org.fspo.eval.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.core.prompt.ChatFormat;
import org.fspo.core.prompt.FewShotPrompt;
import org.fspo.eval.generate.Generator;
import org.fspo.eval.generate.ModelResponseWriter;
import org.fspo.eval.generate.SamplingConfig;
import org.fspo.eval.generate.TextCodec;
import org.fspo.eval.metrics.Method;
import org.fspo.eval.scoring.CollatedLogprobs;
import org.fspo.eval.scoring.DescriptionWriter;
import org.fspo.eval.scoring.MethodModels;
import org.fspo.eval.scoring.MethodModelsLoader;
import org.fspo.eval.scoring.MethodSpec;
import org.fspo.eval.scoring.PairLogprobs;
import org.fspo.train.data.PairCollator;
import org.fspo.train.loop.PairScorer;
import org.fspo.train.loop.TrainConfig;
import org.fspo.train.loop.TrainedRun;
import org.fspo.train.model.CausalLm;
import org.fspo.train.tokenizer.TextTokenizer;

/**
 * Finds each method's trained run and turns it into an {@link Evaluation.MethodRun}. RUN_DIR is either one run folder
 * (fspo train --out RUN_DIR: it gives fspo, or whichever method its data config trained, plus pref_ft from its sft/),
 * or a folder of runs named by method, as fspo pipeline writes it:
 *
 * <pre>
 *   RUNS/fspo/        default prompt, k shots             -> fspo (final vs sft) and pref_ft (sft vs init/, the base)
 *   RUNS/fspo_cot/    with_description                    -> fspo_cot
 *   RUNS/population/  shots_min = shots_max = 0           -> population
 *   RUNS/oracle/      with_description, teacher_forced    -> oracle
 * </pre>
 */
public final class RunMethods {
  private RunMethods() {}

  /** The method a single run trained, from its data config. */
  public static Method methodOf(TrainConfig config) {
    var d = config.data();
    return Method.trainedBy(d.withDescription(), d.teacherForced(), d.shots().max());
  }

  /** method key -> run folder that provides it. */
  public static Map<String, Path> locate(Path runDir, List<String> methods) {
    Map<String, Path> out = new LinkedHashMap<>();
    boolean single = Files.isRegularFile(runDir.resolve("config.yaml"));
    Method singleMethod = single ? methodOf(TrainConfig.load(runDir.resolve("config.yaml"), List.of())) : null;
    for (String m : methods) {
      Method provider = Method.fromKey(m).provider();
      Path dir = single ? (provider == singleMethod ? runDir : null) : runDir.resolve(provider.key());
      if (dir == null || !Files.isRegularFile(dir.resolve("config.yaml"))) {
        throw new FspoUserException(runDir + ": no trained run for method '" + m + "' (looked for "
            + (single ? "a " + provider.key() + " run, this one trained " + singleMethod.key()
                : runDir.resolve(provider.key()))
            + "); train it or drop it from eval.methods (--methods)", FspoUserException.NO_INPUT);
      }
      out.put(m, dir);
    }
    return out;
  }

  public static Evaluation.MethodRun methodRun(String method, Path dir, int batchPairs, SamplingConfig sampling,
      boolean withWriter) {
    TrainConfig config = TrainConfig.load(dir.resolve("config.yaml"), List.of());
    MethodSpec spec = MethodSpec.of(method, config.fspo().beta(), config.data().includeDispreferred());
    String path = dir.toString(); // a String, not a Path: the loader travels to Spark executors
    MethodModelsLoader loader = () -> load(spec, Path.of(path), batchPairs);
    return new Evaluation.MethodRun(spec, loader, withWriter ? writer(spec, dir, sampling) : null);
  }

  /** Opens the run once per call: policy and reference scorers, and for COT a greedy description writer. */
  static MethodModels load(MethodSpec spec, Path dir, int batchPairs) {
    boolean stageOne = spec.method().scoresStageOne();
    TrainedRun run = TrainedRun.open(dir);
    var collator = run.collator(spec.format());
    CausalLm policy = stageOne ? run.reference() : run.policy();
    CausalLm reference = stageOne ? run.base() : run.reference();
    PairLogprobs pi = scorer(new PairScorer(policy, collator, batchPairs), collator);
    PairLogprobs ref = scorer(new PairScorer(reference, collator, batchPairs), collator);
    DescriptionWriter writer = spec.selfDescription() ? descriptionWriter(run) : null;
    return new MethodModels(pi, ref, writer);
  }

  /** Scores with the run's collator, and tells eval what that collator would cut (eval drops shots instead). */
  private static PairLogprobs scorer(PairScorer s, PairCollator collator) {
    return new CollatedLogprobs(s::scoreRendered, collator);
  }

  /**
   * Greedy description after "## User Description\n", up to 48 tokens, ending at the line's end. The prompt comes
   * raw (FewShotPrompt without chat) and is wrapped in the run's chat format, as training saw it.
   */
  static DescriptionWriter descriptionWriter(TrainedRun run) {
    TextTokenizer tok = run.tokenizer();
    ChatFormat chat = run.chat();
    Generator greedy = new Generator(run.policy(), new SamplingConfig(0, 1, 48, 0), PairCollator.stopId(tok, chat));
    int[] newline = tok.encode("\n");
    return prompt -> {
      int[] ids = greedy.generate(tok.encode(chat.prompt(prompt) + FewShotPrompt.DESCRIPTION_HEADER), "describe",
          Generator.onToken(t -> newline.length == 1 && t == newline[0]));
      return tok.decode(ids).strip();
    };
  }

  /** The method's response writer on one run (the run that provides it), as eval's win rates sample it. */
  public static ModelResponseWriter writer(Method method, Path dir, SamplingConfig sampling) {
    TrainConfig config = TrainConfig.load(dir.resolve("config.yaml"), List.of());
    return writer(MethodSpec.of(method, config.fspo().beta(), config.data().includeDispreferred()), dir, sampling);
  }

  static ModelResponseWriter writer(MethodSpec spec, Path dir, SamplingConfig sampling) {
    TrainedRun run = TrainedRun.open(dir);
    CausalLm policy = spec.method().scoresStageOne() ? run.reference() : run.policy();
    TextTokenizer tok = run.tokenizer();
    TextCodec codec = new TextCodec() {
      @Override public int[] encode(String text) { return tok.encode(text); }
      @Override public String decode(int[] ids) { return tok.decode(ids); }
      @Override public int eosId() { return tok.eosId(); }
    };
    ChatFormat chat = run.chat();
    return new ModelResponseWriter(new Generator(policy, sampling, PairCollator.stopId(tok, chat)), codec,
        spec.generationFormat(), spec.zeroShot(), spec.key(), chat);
  }
}
