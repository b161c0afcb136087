package org.fspo.synth.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import org.fspo.synth.llm.LlmConfig;
import org.fspo.synth.procedural.ProceduralConfig;
import org.fspo.synth.stage.LlmPipelineConfig;
import org.fspo.synth.stage.ProceduralSpec;

/**
 * The {@code synth:} config section. Every key is documented, with its default, in conf/synth-procedural.yaml (and
 * the LLM keys in conf/reviews.yaml).
 *
 * @param generator     "procedural" (embedded, no server) or "llm" (an OpenAI-compatible server). Default
 *                      "procedural".
 * @param domain        the domain column of every output row. Default "procedural".
 * @param seed          seed of everything random in the run; same seed and config, same store. Default 42.
 * @param numUsers      number of users to synthesize. Default 256.
 * @param pairsPerUser  labelled pairs per user. Default 24.
 * @param testFraction  fraction of users (by hash of user_id and seed) in the test split, in [0, 1]. Default 0.2.
 * @param partitions    Spark partitions of the user table (the unit of parallel work). Default 8.
 * @param procedural    the procedural generator's settings ({@link ProceduralConfig}).
 * @param llm           the OpenAI-compatible server ({@link LlmConfig}); used when generator is "llm".
 * @param pipeline      the LLM pipeline's traits, counts, models and templates ({@link LlmPipelineConfig}).
 */
public record SynthConfig(
    @JsonProperty("generator") String generator,
    @JsonProperty("domain") String domain,
    @JsonProperty("seed") long seed,
    @JsonProperty("num_users") int numUsers,
    @JsonProperty("pairs_per_user") int pairsPerUser,
    @JsonProperty("test_fraction") double testFraction,
    @JsonProperty("partitions") int partitions,
    @JsonProperty("procedural") ProceduralConfig procedural,
    @JsonProperty("llm") LlmConfig llm,
    @JsonProperty("pipeline") LlmPipelineConfig pipeline)
    implements Serializable {

  public static final String PROCEDURAL = "procedural", LLM = "llm";

  public SynthConfig {
    if (generator == null) {
      generator = PROCEDURAL;
    }
    if (!generator.equals(PROCEDURAL) && !generator.equals(LLM)) {
      throw new IllegalArgumentException("synth.generator must be 'procedural' or 'llm', got '" + generator + "'");
    }
    domain = domain == null || domain.isBlank() ? "procedural" : domain;
    if (numUsers < 1) {
      throw new IllegalArgumentException("synth.num_users must be at least 1, got " + numUsers);
    }
    if (pairsPerUser < 1) {
      throw new IllegalArgumentException("synth.pairs_per_user must be at least 1, got " + pairsPerUser);
    }
    if (!(testFraction >= 0 && testFraction <= 1)) {
      throw new IllegalArgumentException("synth.test_fraction must be in [0, 1], got " + testFraction);
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("synth.partitions must be at least 1, got " + partitions);
    }
    procedural = procedural == null ? ProceduralConfig.defaults() : procedural;
    llm = llm == null ? LlmConfig.defaults() : llm;
    pipeline = pipeline == null ? LlmPipelineConfig.defaults() : pipeline;
  }

  public static SynthConfig defaults() {
    return new SynthConfig(PROCEDURAL, "procedural", 42, 256, 24, 0.2, 8, ProceduralConfig.defaults(),
        LlmConfig.defaults(), LlmPipelineConfig.defaults());
  }

  /** The procedural stages' view of this section. */
  public ProceduralSpec proceduralSpec() {
    return new ProceduralSpec(seed, pairsPerUser, testFraction, procedural);
  }

  public SynthConfig withUsers(int users, int pairs) {
    return new SynthConfig(generator, domain, seed, users, pairs, testFraction, partitions, procedural, llm,
        pipeline);
  }

  /** The same config running the LLM generator against {@code llmConfig} with {@code pipelineConfig}. */
  public SynthConfig withLlm(String llmDomain, LlmConfig llmConfig, LlmPipelineConfig pipelineConfig) {
    return new SynthConfig(LLM, llmDomain, seed, numUsers, pairsPerUser, testFraction, partitions, procedural,
        llmConfig, pipelineConfig);
  }
}
