package org.fspo.train.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Workers are threads on loopback; each owns its ring connections exactly as a barrier task would. */
class RingAllReduceTest {

  /** Runs sum() on {@code world} workers whose inputs come from {@code input}; returns every worker's result. */
  static float[][] allReduce(int world, IntFunction<float[]> input) throws Exception {
    return LoopbackRing.run(world, (rank, ring) -> {
      float[] data = input.apply(rank);
      ring.sum(data);
      ring.sum(new float[0]); // an empty exchange is a no-op, and the ring stays usable
      return data;
    }).toArray(float[][]::new);
  }

  @ParameterizedTest(name = "{0} workers, {1} floats")
  @CsvSource({"1, 10", "2, 1", "2, 7", "3, 2", "3, 1000", "3, 600001", "4, 262145"})
  void integersSumExactlyOnEveryWorker(int world, int n) throws Exception {
    float[][] out = allReduce(world, rank -> {
      float[] a = new float[n];
      for (int i = 0; i < n; i++) a[i] = (i % 1000) * (rank + 1) - rank; // exact in float32
      return a;
    });
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < world; r++) expected[i] += (i % 1000) * (r + 1) - r;
    }
    for (int r = 0; r < world; r++) assertArrayEquals(expected, out[r], 0f, "worker " + r);
  }

  @ParameterizedTest(name = "{0} workers, {1} floats")
  @CsvSource({"2, 300000", "3, 300001"})
  void floatsMatchADoubleSumWithinRoundingAndAreBitIdenticalAcrossWorkers(int world, int n) throws Exception {
    IntFunction<float[]> input = rank -> {
      SplittableRandom rng = new SplittableRandom(rank * 31L + 7);
      float[] a = new float[n];
      for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
      return a;
    };
    float[][] out = allReduce(world, input);
    double[] reference = new double[n];
    for (int r = 0; r < world; r++) {
      float[] a = input.apply(r);
      for (int i = 0; i < n; i++) reference[i] += a[i];
    }
    for (int i = 0; i < n; i++) {
      // world - 1 float additions of terms of size ~1: each rounding is at most 2^-24 of the running sum
      assertEquals(reference[i], out[0][i], 1e-6 * world * (1 + Math.abs(reference[i])), "element " + i);
    }
    for (int r = 1; r < world; r++) assertArrayEquals(out[0], out[r], 0f, "worker " + r + " differs from 0");
    float[][] again = allReduce(world, input);
    assertArrayEquals(out[0], again[0], 0f, "not deterministic");
    assertTrue(out[0].length == n);
  }

  @ParameterizedTest(name = "{0} workers")
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3})
  void allGatherGivesEveryWorkerEveryRanksValues(int world) throws Exception {
    java.util.List<long[][]> got = LoopbackRing.run(world, (rank, ring) -> ring.allGather(
        new long[] {rank, -rank * 1_000_000_007L, Long.MIN_VALUE + rank}));
    for (long[][] all : got) {
      for (int r = 0; r < world; r++) {
        assertArrayEquals(new long[] {r, -r * 1_000_000_007L, Long.MIN_VALUE + r}, all[r], "rank " + r);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void doubleSumsAreAddedInRankOrderAndIdenticalOnEveryWorker() throws Exception {
    double[] v = {0.1, 1e16, -1e16}; // rank r gives v[r]: rank order (0.1 + 1e16) - 1e16 = 0, not 0.1
    java.util.List<double[]> got = LoopbackRing.run(3, (rank, ring) -> new RingGradientSync(ring).sum(
        new double[] {v[rank]}));
    for (double[] sum : got) assertEquals(0.0, sum[0], 0.0);
  }
}
