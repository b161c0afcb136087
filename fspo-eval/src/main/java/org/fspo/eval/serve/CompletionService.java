package org.fspo.eval.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import org.fspo.core.episode.PreferencePair;
import org.fspo.eval.generate.Generator;
import org.fspo.eval.generate.SamplingConfig;
import org.fspo.eval.generate.TokenSampler;

/**
 * From a parsed request to decode jobs on the engine: checks the model id, resolves the personalization, renders
 * and encodes the prompt, checks it against the model's context, and queues one job per choice. Thread-safe: called
 * from the HTTP threads.
 */
public final class CompletionService {
  private final ServedModel model;
  private final DecodeEngine engine;
  private final UserShots users;
  private final boolean hasStore;
  private final int defaultMaxTokens;

  /**
   * @param users            the store's users (ignored without a store)
   * @param hasStore         whether --episodes was given: only then is {@code user} looked up
   * @param defaultMaxTokens max_tokens of a request that sends none (capped by the room left in the context)
   */
  public CompletionService(ServedModel model, DecodeEngine engine, UserShots users, boolean hasStore,
      int defaultMaxTokens) {
    this.model = model;
    this.engine = engine;
    this.users = users;
    this.hasStore = hasStore;
    this.defaultMaxTokens = defaultMaxTokens;
  }

  public ServedModel model() {
    return model;
  }

  public DecodeEngine engine() {
    return engine;
  }

  /** A checked request, ready to queue: its personalization, prompt ids, token limit and seed. */
  public record Prepared(GenerationRequest request, Personalization who, PreferencePair query, int[] promptIds,
      int maxTokens, long seed) {}

  /** The queued choices of one request; cancel() drops the ones not yet finished. */
  public record Submitted(List<ChoiceText> choices, List<DecodeJob> jobs) {
    public void cancel() {
      jobs.forEach(DecodeJob::cancel);
    }
  }

  public Prepared prepare(GenerationRequest r) {
    if (!r.model().equals(model.id())) {
      throw ApiError.notFound("model", "model '" + r.model() + "' is not served here; this server serves '"
          + model.id() + "' (GET /v1/models)", "model_not_found");
    }
    Personalization who = Personalization.resolve(r, model, users, hasStore);
    PreferencePair query = ServedModel.query(who.userId(), r.question(), who.description());
    int[] ids = model.codec().encode(model.prompt(who.shots(), query));
    int room = model.maxPositions() - ids.length;
    if (room < 1) {
      throw new ApiError(400, "invalid_request_error", "the prompt with its " + who.shots().size() + " shots is "
          + ids.length + " tokens, and the model's context is " + model.maxPositions()
          + ": shorten the question or send fewer shots", r.chat() ? "messages" : "prompt", "context_length_exceeded");
    }
    if (r.maxTokens() != null && r.maxTokens() > room) {
      throw new ApiError(400, "invalid_request_error", "max_tokens " + r.maxTokens() + " plus the prompt's "
          + ids.length + " tokens exceeds the model's context of " + model.maxPositions() + "; use max_tokens <= "
          + room, "max_tokens", "context_length_exceeded");
    }
    int max = r.maxTokens() != null ? r.maxTokens() : Math.min(defaultMaxTokens, room);
    long seed = r.seed() != null ? r.seed() : ThreadLocalRandom.current().nextLong();
    return new Prepared(r, who, query, ids, max, seed);
  }

  /**
   * Queues one job per choice, all or none.
   *
   * @param onDelta (choice index, text piece) for streaming; null otherwise
   * @throws ApiError 429 when the queue has no room
   */
  public Submitted submit(Prepared p, BiConsumer<Integer, String> onDelta) {
    GenerationRequest r = p.request();
    SamplingConfig sampling = new SamplingConfig(r.temperature(), r.topP(), p.maxTokens(), p.seed(), 1, 0,
        r.penalty().presence(), r.penalty().frequency());
    List<ChoiceText> choices = new ArrayList<>();
    List<DecodeJob> jobs = new ArrayList<>();
    for (int i = 0; i < r.n(); i++) {
      int index = i;
      ChoiceText text = new ChoiceText(model.codec(), r.stop(), onDelta == null ? null : s -> onDelta.accept(index, s),
          model.writesDescription());
      String key = model.key(p.query(), p.who().shots().size(), i);
      choices.add(text);
      jobs.add(new DecodeJob(p.promptIds(), new TokenSampler(sampling), Generator.rng(p.seed(), key), p.maxTokens(),
          text, sampling.penalty()));
    }
    if (!engine.submit(jobs)) {
      throw new ApiError(429, "rate_limit_error", "the server's queue is full; retry after the Retry-After seconds",
          null, "queue_full");
    }
    return new Submitted(choices, jobs);
  }
}
