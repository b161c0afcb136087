package org.fspo.eval.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.fspo.eval.generate.SamplingConfig;
import org.junit.jupiter.api.Test;

class GenerateJobTest {
  /**
   * Without penalties the fingerprint's sampling text is exactly what the sampling record printed before they existed
   * (Java's record toString of its six fields then), so a job that release started resumes under this one.
   */
  @Test
  void theFingerprintNamesThePenaltiesOnlyWhenSet() {
    assertEquals("SamplingConfig[temperature=0.7, topP=0.9, maxTokens=160, seed=0, numBeams=1, noRepeatNgramSize=0]",
        GenerateJob.samplingKey(new SamplingConfig(0.7, 0.9, 160, 0)));
    assertEquals("SamplingConfig[temperature=0.0, topP=1.0, maxTokens=8, seed=3, numBeams=4, noRepeatNgramSize=2]",
        GenerateJob.samplingKey(new SamplingConfig(0, 1, 8, 3, 4, 2)));
    assertEquals("SamplingConfig[temperature=0.7, topP=0.9, maxTokens=160, seed=0, numBeams=1, noRepeatNgramSize=0, "
        + "presencePenalty=0.5, frequencyPenalty=0.0]",
        GenerateJob.samplingKey(new SamplingConfig(0.7, 0.9, 160, 0, 1, 0, 0.5, 0.0)));
  }
}
