package org.fspo.eval.judge;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.core.FspoUserException;
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
   * Reads the {@code judge:} section of a YAML (or JSON) file over {@link #defaults()}, key by key (also inside
   * {@code llm:}); an unknown key or a bad value is a one-line user error naming the file and key.
   */
  public static JudgeConfig load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new FspoUserException(file + ": no such judge config; copy conf/judge.yaml and edit it",
          FspoUserException.NO_INPUT);
    }
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    try {
      JsonNode section = yaml.readTree(file.toFile()).path("judge");
      if (!section.isObject()) {
        throw new FspoUserException(file + ": no 'judge:' section; see conf/judge.yaml", FspoUserException.CONFIG);
      }
      ObjectNode merged = yaml.valueToTree(defaults());
      merge(merged, (ObjectNode) section);
      return yaml.treeToValue(merged, JudgeConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new FspoUserException(file + ": unknown key " + e.getPathReference().replaceAll(".*\\[\"", "")
          .replaceAll("\"]", "") + " under judge; see conf/judge.yaml for the keys", FspoUserException.CONFIG);
    } catch (JsonProcessingException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      String message = root instanceof IllegalArgumentException ? root.getMessage() : e.getOriginalMessage();
      throw new FspoUserException(file + ": " + message.lines().findFirst().orElse("invalid judge config"),
          FspoUserException.CONFIG);
    } catch (IOException e) {
      throw new FspoUserException(file + ": cannot read (" + e.getMessage() + ")", FspoUserException.NO_INPUT);
    }
  }

  /** Deep merge: objects merge key by key, anything else replaces. */
  private static void merge(ObjectNode base, ObjectNode over) {
    over.fields().forEachRemaining(f -> {
      if (f.getValue().isObject() && base.get(f.getKey()) instanceof ObjectNode inner
          && !f.getKey().equals("extra_body")) {
        merge(inner, (ObjectNode) f.getValue());
      } else {
        base.set(f.getKey(), f.getValue());
      }
    });
  }
}
