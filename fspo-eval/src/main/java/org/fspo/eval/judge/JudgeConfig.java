package org.fspo.eval.judge;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.config.ConfigLoader;
import org.fspo.synth.llm.LlmConfig;

/**
 * conf/judge.yaml (every key documented there): the {@code judge:} section says which model judges and how it is
 * asked; its {@code llm:} subsection is synth-data's {@link LlmConfig} (server, key, timeouts, retries, cache), so
 * the judge reaches the server through the project's one OpenAI-compatible client.
 *
 * @param model       judge model name as the server lists it
 * @param temperature sampling temperature of the verdict; 0 for a deterministic verdict
 * @param maxTokens   completion tokens; 1 suffices, the answer is "m" or "M"
 * @param logprobs    ask for the first token's top logprobs, which gives the weighted win rate (AlpacaEval 2)
 * @param topLogprobs how many top logprobs to ask for (1..20)
 * @param seed        per-request seed sent to the server
 * @param llm         how to reach the server (synth.llm's keys)
 */
public record JudgeConfig(
    @JsonProperty("model") String model,
    @JsonProperty("temperature") double temperature,
    @JsonProperty("max_tokens") int maxTokens,
    @JsonProperty("logprobs") boolean logprobs,
    @JsonProperty("top_logprobs") int topLogprobs,
    @JsonProperty("seed") long seed,
    @JsonProperty("llm") LlmConfig llm) {

  public static final String SECTION = "judge";

  public JudgeConfig {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("judge.model is empty; set the judge model's name as the server lists it");
    }
    if (topLogprobs < 1 || topLogprobs > 20) {
      throw new IllegalArgumentException("judge.top_logprobs must be in 1..20, got " + topLogprobs);
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("judge.max_tokens must be >= 1, got " + maxTokens);
    }
  }

  public static JudgeConfig defaults() {
    return new JudgeConfig("judge", 0.0, 1, true, 5, 0L, LlmConfig.defaults());
  }

  /** The client config with logprobs requested through extra_body when {@link #logprobs()} is on. */
  public LlmConfig clientConfig() {
    if (!logprobs) {
      return llm;
    }
    Map<String, Object> extra = new LinkedHashMap<>(llm.extraBody());
    extra.put("logprobs", true);
    extra.put("top_logprobs", topLogprobs);
    return new LlmConfig(llm.baseUrl(), llm.apiKeyEnv(), llm.apiKeyFile(), llm.connectTimeoutMs(),
        llm.requestTimeoutMs(), llm.globalConcurrency(), llm.executors(), llm.maxAttempts(), llm.backoffInitialMs(),
        llm.backoffMaxMs(), llm.jsonSchema(), extra, llm.cache());
  }

  /**
   * Reads the {@code judge:} section of a YAML (or JSON) file over {@link #defaults()} with the project's
   * {@link ConfigLoader} (deep merge, strict keys, one-line errors naming the file and key).
   */
  public static JudgeConfig load(Path file) {
    return ConfigLoader.load(file, List.of(), List.of(SECTION)).section(SECTION, JudgeConfig.class);
  }

}
