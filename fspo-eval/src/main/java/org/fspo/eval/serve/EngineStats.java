package org.fspo.eval.serve;

/**
 * Where the decode thread's time went since the engine started, for profiling (the throughput bench reports the
 * difference over a level): prefill passes and the sequences and tokens (padded rows x longest computed remainder)
 * they ran, batched steps and the rows they advanced, and the nanoseconds in each plus in sampling and detokenizing
 * (the per-token work after a pass) and waiting for work; the decode thread's CPU time (ThreadMXBean), which, unlike
 * the wall times, does not grow when other processes take the cores; and the prompt tokens prefilled and how many of
 * them the prefix cache supplied.
 */
public record EngineStats(long prefillPasses, long prefilledSequences, long prefillTokens, long prefillNs,
    long steps, long stepRows, long stepNs, long sampleNs, long idleNs, long cpuNs, long promptTokens,
    long prefixReusedTokens) {

  /** This minus an earlier snapshot. */
  public EngineStats minus(EngineStats o) {
    return new EngineStats(prefillPasses - o.prefillPasses, prefilledSequences - o.prefilledSequences,
        prefillTokens - o.prefillTokens, prefillNs - o.prefillNs, steps - o.steps, stepRows - o.stepRows,
        stepNs - o.stepNs, sampleNs - o.sampleNs, idleNs - o.idleNs, cpuNs - o.cpuNs, promptTokens - o.promptTokens,
        prefixReusedTokens - o.prefixReusedTokens);
  }
}
