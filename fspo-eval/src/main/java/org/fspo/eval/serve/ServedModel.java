package org.fspo.eval.serve;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.eval.generate.ModelResponseWriter;
import org.fspo.eval.generate.TextCodec;
import org.fspo.eval.metrics.Method;
import org.fspo.eval.pipeline.RunMethods;
import org.fspo.eval.scoring.MethodSpec;
import org.fspo.train.data.PairCollator;
import org.fspo.train.io.ModelWeights;
import org.fspo.train.loop.RunLayout;
import org.fspo.train.loop.TrainConfig;
import org.fspo.train.loop.TrainedRun;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.tokenizer.TextTokenizer;

/**
 * One method of a trained run, loaded once for serving: the policy that eval samples the method's responses from,
 * its tokenizer and its prompt format. The prompt of a request is eval's
 * ({@link ModelResponseWriter}): the rendered few-shot prompt (FewShotPrompt, as in training
 * and {@code fspo render}) plus the response header; and its RNG key is eval's {@code method|user|pair|shots}, with
 * the question's hash as the pair id. So a served response equals eval's for the same shots, question and seed.
 *
 * <p>Served methods: fspo, pref_ft (the stage-1 model), population (always zero-shot), the oracle (prompted with a
 * user description and no shots: the request's or the stored user's) and fspo_cot, whose prompt ends with the user
 * description header as eval's does: it writes a description of the user from the shots, then its response; the
 * response is the choice's text and the description a field of its own ({@link ChoiceText}).
 */
public final class ServedModel implements AutoCloseable {
  /** The user id of a request that names none. */
  public static final String ANONYMOUS = "anonymous";

  private final String id;
  private final MethodSpec spec;
  private final TrainedRun run;
  private final TransformerLm policy;
  private final TextCodec codec;

  private ServedModel(String id, MethodSpec spec, TrainedRun run, TransformerLm policy) {
    this.id = id;
    this.spec = spec;
    this.run = run;
    this.policy = policy;
    TextTokenizer tok = run.tokenizer();
    this.codec = new TextCodec() { // one tokenizer, called from request threads and the engine thread
      @Override public synchronized int[] encode(String text) { return tok.encode(text); }
      @Override public synchronized String decode(int[] ids) { return tok.decode(ids); }
      @Override public int eosId() { return tok.eosId(); }
    };
  }

  /**
   * The run folder that provides the method, checked without loading anything (a one-line error for an unknown or
   * unservable method, a missing run or a run that did not finish).
   */
  public static Path check(Path runDir, String method) {
    Method m;
    try {
      m = Method.fromKey(method);
    } catch (IllegalArgumentException e) {
      throw new FspoUserException("--method: " + e.getMessage(), FspoUserException.USAGE);
    }
    Path dir = RunMethods.locate(runDir, List.of(method)).get(method);
    RunLayout layout = new RunLayout(dir);
    for (Path need : List.of(layout.finalModel(), layout.sft(), layout.tokenizer())) {
      boolean present = need.equals(layout.tokenizer()) ? Files.isRegularFile(need)
          : need.equals(layout.finalModel()) ? TrainedRun.isFinished(dir) // a full model, or a LoRA adapter on sft/
          : ModelWeights.present(need);
      if (!present) {
        throw new FspoUserException(dir + " is not a finished run: " + need + " is missing; train it with fspo train"
            + " --out " + dir, FspoUserException.NO_INPUT);
      }
    }
    return dir;
  }

  /** Opens RUN_DIR (one run, or a folder of runs by method, as eval reads it) for one method. */
  public static ServedModel load(Path runDir, String method) {
    Path dir = check(runDir, method);
    TrainConfig config = TrainConfig.load(dir.resolve("config.yaml"), List.of());
    MethodSpec spec = MethodSpec.of(method, config.fspo().beta(), config.data().includeDispreferred());
    TrainedRun run = TrainedRun.open(dir);
    TransformerLm policy = spec.method().scoresStageOne() ? run.reference() : run.policy();
    Path name = runDir.toAbsolutePath().normalize().getFileName();
    return new ServedModel((name == null ? "run" : name.toString()) + "/" + method, spec, run, policy);
  }

  /** The model id of /v1/models and of every response. */
  public String id() {
    return id;
  }

  public String method() {
    return spec.key();
  }

  public TransformerLm policy() {
    return policy;
  }

  public TextCodec codec() {
    return codec;
  }

  /** The run's prompt variant (shots with or without dispreferred responses). */
  public PromptFormat format() {
    return spec.generationFormat();
  }

  /** True for a method trained without shots (population): every request is answered zero-shot. */
  public boolean zeroShot() {
    return spec.zeroShot();
  }

  /** True for a model prompted with the user's description instead of shots (the oracle). */
  public boolean describedUser() {
    return spec.method().promptedWithTrueDescription();
  }

  /**
   * The tokens that end a response, as eval's Generator stops: the model's config.json eos ids, and the tokenizer's
   * end of sequence or, for a chat-template run, the template's end of turn.
   */
  public java.util.Set<Integer> stopIds() {
    java.util.Set<Integer> ids = new java.util.HashSet<>(policy.eosTokenIds());
    ids.add(PairCollator.stopId(run.tokenizer(), run.chat()));
    return ids;
  }

  /** Most tokens of prompt plus response. */
  public int maxPositions() {
    return policy.maxPositions();
  }

  /** The query pair of a request: its user and question, with the question's hash as the pair id. */
  public static PreferencePair query(String userId, String question) {
    return query(userId, question, null);
  }

  /** The query pair with the user description the prompt carries (the oracle's), or null. */
  public static PreferencePair query(String userId, String question, String description) {
    return new PreferencePair(userId, pairId(question), question, "-", "-", description, null, null, null);
  }

  /** True for fspo_cot: the model writes a user description before its response header and response. */
  public boolean writesDescription() {
    return ModelResponseWriter.writesDescription(format());
  }

  /**
   * The prompt eval's ModelResponseWriter generates from: rendered shots and question, then the header of what the
   * model writes first (the response's, or fspo_cot's user description's).
   */
  public String prompt(List<PreferencePair> shots, PreferencePair query) {
    return ModelResponseWriter.prompt(zeroShot() ? List.of() : shots, query, format(), run.chat());
  }

  /** ModelResponseWriter's RNG key; choice i > 0 of a request (n > 1) gets its own stream. */
  public String key(PreferencePair query, int shots, int choice) {
    String key = method() + "|" + query.userId() + "|" + query.pairId() + "|" + (zeroShot() ? 0 : shots);
    return choice == 0 ? key : key + "#" + choice;
  }

  /** "q" + the first 16 hex digits of SHA-256 of the stripped question. */
  public static String pairId(String question) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(question.strip().getBytes(StandardCharsets.UTF_8));
      return "q" + HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    run.close();
  }
}
