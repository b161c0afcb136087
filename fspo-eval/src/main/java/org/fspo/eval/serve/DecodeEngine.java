package org.fspo.eval.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.fspo.core.FspoUserException;
import org.fspo.train.model.BatchedDecoder;
import org.fspo.train.model.PrefixCache;

/**
 * Continuous batching over one {@link BatchedDecoder}, on one thread: jobs wait in a bounded queue; between steps,
 * waiting jobs take free slots, the new ones are prefilled together in batched passes of at most
 * {@code prefillTokens} padded tokens per iteration (a burst of arrivals is spread over several iterations, so the
 * running sequences keep stepping: chunked admission, as vLLM's max_num_batched_tokens), then every running job
 * advances by one token in a single batched step. A job leaves its slot as soon as it ends, and the next waiting job
 * takes it at the next step, so a long request never holds up short ones (vLLM's iteration-level scheduling; Yu et
 * al., Orca, OSDI 2022).
 *
 * <p>Per job the token loop is {@link org.fspo.eval.generate.Generator#generate}'s: sample from the logits with the
 * job's own RNG stream; EOS ends it (not emitted); otherwise emit, and stop when the sink says so or at the limit
 * min(max_tokens, context - prompt). Sequences share nothing but the pass, so a job's tokens do not depend on which
 * others run beside it. A failing job (or step) fails only its own jobs; the engine keeps serving.
 */
public final class DecodeEngine implements AutoCloseable {
  private final BatchedDecoder decoder;
  private final java.util.Set<Integer> stopIds;
  private final int queueCapacity;
  private final ArrayDeque<DecodeJob> waiting = new ArrayDeque<>();
  private final DecodeJob[] running; // by slot; null = free
  private final ArrayDeque<DecodeJob> unprefilled = new ArrayDeque<>(); // hold a slot, not yet prefilled (engine only)
  private final int prefillTokens;
  private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
  private volatile PrefixCache.Stats prefixStats = new PrefixCache.Stats(0, 0, 0, 0, 0);
  private volatile EngineStats stats = new EngineStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  // the decode thread's counters, published to stats once per iteration (see EngineStats for each)
  private long prefillPasses, prefilledSequences, paddedTokens, prefillNs, steps, stepRows, stepNs, sampleNs, idleNs,
      promptTokens;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Thread thread;
  private volatile boolean closing;

  /** Default of {@code prefillTokens}: padded prompt tokens prefilled per iteration. */
  public static final int PREFILL_TOKENS = 512;

  /** Starts the engine thread. {@code queueCapacity} jobs may wait beyond the decoder's slots. */
  public DecodeEngine(BatchedDecoder decoder, java.util.Set<Integer> stopIds, int queueCapacity) {
    this(decoder, stopIds, queueCapacity, PREFILL_TOKENS);
  }

  /**
   * @param prefillTokens padded tokens (rows x longest prompt) prefilled per iteration between steps; a longer
   *                      prompt is still prefilled, alone
   */
  public DecodeEngine(BatchedDecoder decoder, java.util.Set<Integer> stopIds, int queueCapacity, int prefillTokens) {
    if (prefillTokens < 1) throw new IllegalArgumentException("prefillTokens must be >= 1, got " + prefillTokens);
    this.prefillTokens = prefillTokens;
    this.decoder = decoder;
    this.stopIds = java.util.Set.copyOf(stopIds);
    this.queueCapacity = queueCapacity;
    this.running = new DecodeJob[decoder.slots()];
    this.thread = new Thread(this::loop, "fspo-serve-decode");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues all jobs of one request, or none: false when the queue has no room for all of them (HTTP 429). */
  public boolean submit(List<DecodeJob> jobs) {
    lock.lock();
    try {
      if (closing || waiting.size() + jobs.size() > queueCapacity) return false;
      waiting.addAll(jobs);
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Jobs waiting for a slot plus jobs running. */
  public int load() {
    lock.lock();
    try {
      int n = waiting.size();
      for (DecodeJob j : running) n += j == null ? 0 : 1;
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** The decoder's prefix cache counters as of the last iteration (the cache itself belongs to the decode thread). */
  public PrefixCache.Stats prefixStats() {
    return prefixStats;
  }

  /** Where the decode thread's time went so far. */
  public EngineStats stats() {
    return stats;
  }

  private void loop() {
    while (true) {
      long t0 = System.nanoTime();
      lock.lock();
      try {
        while (waiting.isEmpty() && active() == 0) {
          if (closing) return;
          changed.awaitUninterruptibly();
        }
        for (int s = 0; s < running.length && !waiting.isEmpty(); s++) {
          if (running[s] == null) {
            DecodeJob job = waiting.poll();
            job.slot = s;
            running[s] = job;
            unprefilled.add(job);
          }
        }
      } finally {
        lock.unlock();
      }
      idleNs += System.nanoTime() - t0;
      prefillSome();
      step();
      PrefixCache.Stats prefix = decoder.prefixStats();
      prefixStats = prefix;
      stats = new EngineStats(prefillPasses, prefilledSequences, paddedTokens, prefillNs, steps, stepRows, stepNs,
          sampleNs, idleNs, CPU.getCurrentThreadCpuTime(), promptTokens, prefix.reused());
    }
  }

  private int active() {
    int n = 0;
    for (DecodeJob j : running) n += j == null ? 0 : 1;
    return n;
  }

  /**
   * Prefills the next unprefilled jobs, in arrival order, in one batched pass of at most {@code prefillTokens}
   * padded tokens (always at least one job), and not more than twice the real tokens, so prompts of very different
   * lengths are not padded much; a prompt counts the tokens the pass computes, i.e. without the prefix the decoder
   * has cached. The rest wait for the next iteration, after a step of the running ones.
   */
  private void prefillSome() {
    List<DecodeJob> batch = new ArrayList<>();
    int longest = 0, real = 0;
    while (!unprefilled.isEmpty()) {
      DecodeJob job = unprefilled.peek();
      if (job.cancelled()) {
        release(unprefilled.poll());
        continue;
      }
      int n = decoder.uncached(job.promptIds), l = Math.max(longest, n);
      if (!batch.isEmpty() && ((batch.size() + 1L) * l > prefillTokens || (batch.size() + 1L) * l > 2L * (real + n))) {
        break;
      }
      unprefilled.poll();
      // the room left is after the whole prompt; n (what this pass computes) only budgets the pass
      job.limit = Math.min(job.maxTokens, Math.max(0, decoder.maxPositions() - job.promptIds.length));
      if (job.limit == 0) {
        end(job, TokenSink.FinishReason.LENGTH);
        continue;
      }
      batch.add(job);
      longest = l;
      real += n;
    }
    if (batch.isEmpty()) return;
    int[] slots = new int[batch.size()];
    int[][] prompts = new int[batch.size()][];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = batch.get(i).slot;
      prompts[i] = batch.get(i).promptIds;
      promptTokens += prompts[i].length;
    }
    long t0 = System.nanoTime();
    float[][] logits;
    try {
      logits = decoder.prefill(slots, prompts);
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        fail(batch.get(0), e);
        return;
      }
      logits = new float[slots.length][]; // one job's failure must not fail the others: each alone, as before
      for (int i = 0; i < slots.length; i++) {
        try {
          logits[i] = decoder.prefill(new int[] {slots[i]}, new int[][] {prompts[i]})[0];
        } catch (RuntimeException alone) {
          fail(batch.get(i), alone);
        }
      }
    }
    long t1 = System.nanoTime();
    for (int i = 0; i < slots.length; i++) {
      if (logits[i] != null) advance(batch.get(i), logits[i]);
    }
    prefillPasses++;
    prefilledSequences += slots.length;
    paddedTokens += (long) slots.length * longest;
    prefillNs += t1 - t0;
    sampleNs += System.nanoTime() - t1;
  }

  /** One batched step for every job that is still running. */
  private void step() {
    List<DecodeJob> jobs = new ArrayList<>();
    for (DecodeJob j : running) {
      if (j == null) continue;
      if (j.cancelled()) {
        release(j);
      } else if (j.generated > 0) {
        jobs.add(j);
      }
    }
    if (jobs.isEmpty()) return;
    int[] slots = new int[jobs.size()], tokens = new int[jobs.size()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = jobs.get(i).slot;
      tokens[i] = jobs.get(i).lastToken;
    }
    long t0 = System.nanoTime();
    float[][] logits;
    try {
      logits = decoder.step(slots, tokens);
    } catch (RuntimeException e) {
      for (DecodeJob j : jobs) fail(j, e);
      return;
    }
    long t1 = System.nanoTime();
    for (int i = 0; i < slots.length; i++) advance(jobs.get(i), logits[i]);
    steps++;
    stepRows += slots.length;
    stepNs += t1 - t0;
    sampleNs += System.nanoTime() - t1;
  }

  /** Generator's loop body: sample, then end at EOS, at the sink's stop or at the limit, or keep the slot. */
  private void advance(DecodeJob job, float[] logits) {
    try {
      if (job.tokens != null) job.penalty.apply(logits, job.tokens, job.generated);
      int token = job.sampler.next(logits, job.rng);
      if (stopIds.contains(token)) {
        end(job, TokenSink.FinishReason.STOP);
        return;
      }
      if (job.tokens != null) job.tokens[job.generated] = token;
      job.generated++;
      job.lastToken = token;
      if (job.sink.accept(token)) {
        end(job, TokenSink.FinishReason.STOP);
      } else if (job.generated == job.limit) {
        end(job, TokenSink.FinishReason.LENGTH);
      }
    } catch (RuntimeException e) {
      fail(job, e);
    }
  }

  private void end(DecodeJob job, TokenSink.FinishReason reason) {
    release(job);
    job.sink.finish(reason);
  }

  private void fail(DecodeJob job, RuntimeException e) {
    release(job);
    job.sink.fail(e instanceof FspoUserException ? e : new IllegalStateException("decoding failed: " + e, e));
  }

  private void release(DecodeJob job) {
    lock.lock();
    try {
      if (job.slot >= 0 && running[job.slot] == job) running[job.slot] = null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops taking jobs and waits up to {@code timeoutMs} for the queued and running ones to finish (SIGTERM's
   * drain); then the engine thread ends. Returns true when everything finished in time.
   */
  public boolean drain(long timeoutMs) throws InterruptedException {
    lock.lock();
    try {
      closing = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    thread.join(timeoutMs);
    return !thread.isAlive();
  }

  @Override
  public void close() {
    try {
      if (!drain(TimeUnit.SECONDS.toMillis(30))) thread.interrupt();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!thread.isAlive()) decoder.close();
  }
}
