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
import org.fspo.core.FspoUserException;

/**
 * The {@code judge:} section of conf/judge.yaml (every key documented there): which OpenAI-compatible server and
 * model judge the win rates, and how to call it.
 *
 * @param baseUrl     server root including /v1, e.g. http://localhost:8000/v1 (vLLM), http://localhost:11434/v1 (Ollama)
 * @param model       judge model name as the server knows it
 * @param apiKeyEnv   environment variable holding the API key; unset or empty means no key is sent
 * @param temperature sampling temperature; 0 for a deterministic verdict
 * @param maxTokens   completion tokens; 1 suffices, the answer is "m" or "M"
 * @param logprobs    ask for the first token's top logprobs, which gives the weighted win rate (AlpacaEval 2)
 * @param topLogprobs how many top logprobs to ask for (1..20)
 * @param timeoutS    per-request timeout, seconds
 * @param maxRetries  retries of 408/409/429/5xx and timeouts, with exponential backoff
 * @param seed        per-request seed sent to the server
 */
public record JudgeConfig(
    @JsonProperty("base_url") String baseUrl,
    @JsonProperty("model") String model,
    @JsonProperty("api_key_env") String apiKeyEnv,
    @JsonProperty("temperature") double temperature,
    @JsonProperty("max_tokens") int maxTokens,
    @JsonProperty("logprobs") boolean logprobs,
    @JsonProperty("top_logprobs") int topLogprobs,
    @JsonProperty("timeout_s") int timeoutS,
    @JsonProperty("max_retries") int maxRetries,
    @JsonProperty("seed") long seed) {

  public JudgeConfig {
    if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
      throw new IllegalArgumentException("judge.base_url must be an http(s) URL ending in /v1, got " + baseUrl);
    }
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("judge.model is empty; set the judge model's name as the server lists it");
    }
    if (topLogprobs < 1 || topLogprobs > 20) {
      throw new IllegalArgumentException("judge.top_logprobs must be in 1..20, got " + topLogprobs);
    }
    if (maxTokens < 1 || timeoutS < 1 || maxRetries < 0) {
      throw new IllegalArgumentException("judge.max_tokens and judge.timeout_s must be >= 1, judge.max_retries >= 0");
    }
  }

  /**
   * Reads the {@code judge:} section of a YAML (or JSON) file over {@link #defaults()}; an unknown key or a value of
   * the wrong type is a one-line user error naming the file and key.
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
      merged.setAll((ObjectNode) section);
      return yaml.treeToValue(merged, JudgeConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new FspoUserException(file + ": unknown key judge." + e.getPropertyName() + "; see conf/judge.yaml for "
          + "the keys", FspoUserException.CONFIG);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
      String message = cause == e ? e.getOriginalMessage() : cause.getMessage();
      throw new FspoUserException(file + ": " + message.lines().findFirst().orElse("invalid judge config"),
          FspoUserException.CONFIG);
    } catch (IOException e) {
      throw new FspoUserException(file + ": cannot read (" + e.getMessage() + ")", FspoUserException.NO_INPUT);
    }
  }

  public static JudgeConfig defaults() {
    return new JudgeConfig("http://localhost:8000/v1", "judge", "OPENAI_API_KEY", 0.0, 1, true, 5, 60, 3, 0L);
  }
}
