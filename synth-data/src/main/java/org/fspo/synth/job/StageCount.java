package org.fspo.synth.job;

/**
 * The accounting of one stage: items in = items out + items quarantined. For exploding stages (views, pairs) "out"
 * counts input items that produced output, not the rows they exploded into.
 */
public record StageCount(String stage, long in, long out, long quarantined) {
  public boolean addsUp() {
    return in == out + quarantined;
  }

  @Override
  public String toString() {
    return String.format("%-12s in %6d = out %6d + quarantined %5d%s", stage, in, out, quarantined,
        addsUp() ? "" : "   <-- DOES NOT ADD UP");
  }
}
