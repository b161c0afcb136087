package org.fspo.synth.procedural;

import java.util.SplittableRandom;

/**
 * Derives independent, reproducible random streams from (run seed, ids...), so that every user and every pair is a
 * pure function of the seed and its indices, whatever the Spark partitioning. SplitMix64's finalizer
 * (Steele, Lea, Flood 2014) mixes each part in.
 */
public final class Seeds {
  private Seeds() {}

  /** A 64-bit key mixed from all parts, in order. */
  public static long mix(long... parts) {
    long h = 0x9E3779B97F4A7C15L;
    for (long part : parts) {
      h = finalizer(h ^ finalizer(part + 0x9E3779B97F4A7C15L));
    }
    return h;
  }

  /** A random stream for these parts. */
  public static SplittableRandom random(long... parts) {
    return new SplittableRandom(mix(parts));
  }

  private static long finalizer(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
