package org.fspo.eval.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.fspo.core.FspoUserException;
import org.fspo.train.model.BatchedDecoder;

/**
 * Continuous batching over one {@link BatchedDecoder}, on one thread: jobs wait in a bounded queue; between steps,
 * waiting jobs take free slots (each is prefilled alone), then every running job advances by one token in a single
 * batched step. A job leaves its slot as soon as it ends, and the next waiting job takes it at the next step, so a
 * long request never holds up short ones (vLLM's iteration-level scheduling; Yu et al., Orca, OSDI 2022).
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
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Thread thread;
  private volatile boolean closing;

  /** Starts the engine thread. {@code queueCapacity} jobs may wait beyond the decoder's slots. */
  public DecodeEngine(BatchedDecoder decoder, java.util.Set<Integer> stopIds, int queueCapacity) {
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

  private void loop() {
    while (true) {
      List<DecodeJob> admitted = new ArrayList<>();
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
            admitted.add(job);
          }
        }
      } finally {
        lock.unlock();
      }
      for (DecodeJob job : admitted) prefill(job);
      step();
    }
  }

  private int active() {
    int n = 0;
    for (DecodeJob j : running) n += j == null ? 0 : 1;
    return n;
  }

  private void prefill(DecodeJob job) {
    if (job.cancelled()) {
      release(job);
      return;
    }
    try {
      int room = Math.max(0, decoder.maxPositions() - job.promptIds.length);
      job.limit = Math.min(job.maxTokens, room);
      if (job.limit == 0) {
        end(job, TokenSink.FinishReason.LENGTH);
        return;
      }
      advance(job, decoder.prefill(job.slot, job.promptIds));
    } catch (RuntimeException e) {
      fail(job, e);
    }
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
    float[][] logits;
    try {
      logits = decoder.step(slots, tokens);
    } catch (RuntimeException e) {
      for (DecodeJob j : jobs) fail(j, e);
      return;
    }
    for (int i = 0; i < slots.length; i++) advance(jobs.get(i), logits[i]);
  }

  /** Generator's loop body: sample, then end at EOS, at the sink's stop or at the limit, or keep the slot. */
  private void advance(DecodeJob job, float[] logits) {
    try {
      int token = job.sampler.next(logits, job.rng);
      if (stopIds.contains(token)) {
        end(job, TokenSink.FinishReason.STOP);
        return;
      }
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
