package org.fspo.eval.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.fspo.eval.generate.Generator;
import org.fspo.eval.generate.SamplingConfig;
import org.fspo.eval.generate.TokenSampler;
import org.fspo.train.model.BatchedDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's batched prefill: a burst of jobs with prompts of different lengths is prefilled in as many passes as
 * the prefill token budget allows (the stats count them), and every job's tokens equal eval's single-sequence
 * {@link Generator} for its prompt and RNG stream, whatever the budget (1: one prompt per pass; large: all at once).
 */
class DecodeEngineTest {
  @TempDir static Path dir;
  private static final int MAX_TOKENS = 8;

  /** Tokens a job generated, collected on the engine thread. */
  private static final class Collect implements TokenSink {
    final List<Integer> tokens = new ArrayList<>();
    final CompletableFuture<int[]> done = new CompletableFuture<>();
    volatile FinishReason reason;

    @Override public boolean accept(int token) {
      tokens.add(token);
      return false;
    }

    @Override public void finish(FinishReason reason) {
      this.reason = reason;
      done.complete(tokens.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override public void fail(RuntimeException error) {
      done.completeExceptionally(error);
    }
  }

  private static int[] prompt(ServedModel model, int i) {
    String question = "What about " + TinyServe.TOPICS[i % TinyServe.TOPICS.length] + (i % 2 == 0 ? "?" : " and rain?");
    List<org.fspo.core.episode.PreferencePair> shots = TinyServe.pairs().subList(0, i % 3);
    return model.codec().encode(model.prompt(shots, ServedModel.query("u" + i, question)));
  }

  @Test
  void aBurstIsPrefilledWithinTheBudgetAndEveryJobMatchesItsSingleSequenceGeneration() throws Exception {
    try (ServedModel model = ServedModel.load(TinyServe.run(dir), "fspo")) {
      SamplingConfig sampling = new SamplingConfig(1.0, 0.9, MAX_TOKENS, 5);
      int jobs = 6, longest = 0;
      int[][] prompts = new int[jobs][];
      int[][] want = new int[jobs][];
      Generator g = new Generator(model.policy(), sampling, model.codec().eosId());
      for (int i = 0; i < jobs; i++) {
        prompts[i] = prompt(model, i);
        longest = Math.max(longest, prompts[i].length);
        want[i] = g.generate(prompts[i], "job" + i);
      }
      for (int budget : new int[] {1, 2 * longest, 1 << 20}) {
        EngineStats stats;
        List<Collect> sinks = new ArrayList<>();
        try (DecodeEngine engine = new DecodeEngine(new BatchedDecoder(model.policy(), jobs), model.stopIds(), jobs,
            budget)) {
          List<DecodeJob> burst = new ArrayList<>();
          for (int i = 0; i < jobs; i++) {
            Collect c = new Collect();
            sinks.add(c);
            burst.add(new DecodeJob(prompts[i], new TokenSampler(sampling), Generator.rng(5, "job" + i), MAX_TOKENS, c));
          }
          assertTrue(engine.submit(burst));
          for (int i = 0; i < jobs; i++) {
            assertArrayEquals(want[i], sinks.get(i).done.get(120, TimeUnit.SECONDS), "budget " + budget + " job " + i);
          }
          stats = engine.stats();
        }
        assertEquals(jobs, stats.prefilledSequences(), "budget " + budget);
        if (budget == 1) assertEquals(jobs, stats.prefillPasses(), "a budget below every prompt: one per pass");
        if (budget == 1 << 20) assertTrue(stats.prefillPasses() < jobs, stats.toString());
        assertTrue(stats.prefillPasses() >= (budget == 2 * longest ? 3 : 1), stats.toString());
      }
    }
  }

  /** The presence and frequency penalties: each job's tokens are still the single-sequence generator's. */
  @Test
  void penalisedJobsMatchTheirSingleSequenceGeneration() throws Exception {
    try (ServedModel model = ServedModel.load(TinyServe.run(dir), "fspo")) {
      int jobs = 3;
      for (SamplingConfig sampling : List.of(new SamplingConfig(0, 1, MAX_TOKENS, 5, 1, 0, 0.0, 2.0),
          new SamplingConfig(1.0, 0.9, MAX_TOKENS, 5, 1, 0, 1.5, 0.5))) {
        Generator g = new Generator(model.policy(), sampling, model.codec().eosId());
        Generator plain = new Generator(model.policy(), new SamplingConfig(sampling.temperature(), sampling.topP(),
            MAX_TOKENS, 5), model.codec().eosId());
        List<Collect> sinks = new ArrayList<>();
        List<DecodeJob> burst = new ArrayList<>();
        int[][] prompts = new int[jobs][];
        boolean changed = false;
        for (int i = 0; i < jobs; i++) {
          prompts[i] = prompt(model, i);
          Collect c = new Collect();
          sinks.add(c);
          burst.add(new DecodeJob(prompts[i], new TokenSampler(sampling), Generator.rng(5, "job" + i), MAX_TOKENS, c,
              sampling.penalty()));
        }
        try (DecodeEngine engine = new DecodeEngine(new BatchedDecoder(model.policy(), jobs), model.stopIds(), jobs)) {
          assertTrue(engine.submit(burst));
          for (int i = 0; i < jobs; i++) {
            int[] want = g.generate(prompts[i], "job" + i);
            assertArrayEquals(want, sinks.get(i).done.get(120, TimeUnit.SECONDS), sampling + " job " + i);
            changed |= !java.util.Arrays.equals(want, plain.generate(prompts[i], "job" + i));
          }
        }
        assertTrue(changed, "the penalties changed no job's tokens: " + sampling);
      }
    }
  }

  /**
   * With the prefix cache on, a second burst of the same prompts (a served user's shots repeat) takes their full
   * blocks from the cache, computes only the rest, and still gives every job its single-sequence tokens.
   */
  @Test
  void aRepeatedPromptReusesItsCachedPrefixAndKeepsItsTokens() throws Exception {
    try (ServedModel model = ServedModel.load(TinyServe.run(dir), "fspo")) {
      SamplingConfig sampling = new SamplingConfig(1.0, 0.9, MAX_TOKENS, 5);
      int jobs = 4;
      Generator g = new Generator(model.policy(), sampling, model.codec().eosId());
      try (DecodeEngine engine = new DecodeEngine(new BatchedDecoder(model.policy(), jobs, 16L << 20),
          model.stopIds(), jobs)) {
        long fullBlocks = 0, promptTokens = 0;
        for (int round = 0; round < 2; round++) {
          List<Collect> sinks = new ArrayList<>();
          List<DecodeJob> burst = new ArrayList<>();
          int[][] prompts = new int[jobs][];
          for (int i = 0; i < jobs; i++) {
            prompts[i] = prompt(model, i + 2); // 2 and 3 carry shots
            if (round == 1) fullBlocks += (prompts[i].length - 1) / org.fspo.train.model.PrefixCache.BLOCK;
            promptTokens += prompts[i].length;
            Collect c = new Collect();
            sinks.add(c);
            burst.add(new DecodeJob(prompts[i], new TokenSampler(sampling), Generator.rng(5, "job" + i), MAX_TOKENS, c));
          }
          assertTrue(engine.submit(burst));
          for (int i = 0; i < jobs; i++) {
            int[] want = g.generate(prompts[i], "job" + i);
            assertArrayEquals(want, sinks.get(i).done.get(120, TimeUnit.SECONDS), "round " + round + " job " + i);
          }
        }
        EngineStats stats = engine.stats();
        assertEquals(promptTokens, stats.promptTokens());
        assertTrue(fullBlocks > 0, "the prompts are longer than a block");
        // round 0 may already reuse a block another job of its burst left (a later pass); round 1 reuses all
        assertTrue(stats.prefixReusedTokens() >= fullBlocks * org.fspo.train.model.PrefixCache.BLOCK, stats.toString());
      }
    }
  }

  /**
   * The room left in the context is counted from the whole prompt, not from the part a cached prefix spares: a
   * 20-token prompt in a 32-position model gets 12 tokens and ends with length, the second time (16 tokens cached)
   * as the first, instead of decoding past the context.
   */
  @Test
  void aCachedPrefixLeavesTheContextRoomOfTheWholePrompt() throws Exception {
    org.fspo.train.model.TransformerLm tiny = org.fspo.train.model.Models.init(
        org.fspo.train.model.gpt2.Gpt2Config.of(40, 32, 32, 2, 4), 1);
    int[] prompt = java.util.stream.IntStream.range(0, 20).map(t -> (7 * t + 3) % 40).toArray();
    SamplingConfig sampling = new SamplingConfig(1.0, 1.0, 100, 5);
    try (DecodeEngine engine = new DecodeEngine(new BatchedDecoder(tiny, 1, 1L << 20), java.util.Set.of(), 1)) {
      for (int round = 0; round < 2; round++) {
        Collect c = new Collect();
        assertTrue(engine.submit(List.of(new DecodeJob(prompt, new TokenSampler(sampling),
            Generator.rng(5, "r" + round), 100, c))));
        assertEquals(12, c.done.get(60, TimeUnit.SECONDS).length, "round " + round);
        assertEquals(TokenSink.FinishReason.LENGTH, c.reason, "round " + round);
      }
      assertEquals(16, engine.stats().prefixReusedTokens(), "the second round reused the first block");
    }
  }
}
