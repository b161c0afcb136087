package org.fspo.synth.llm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fspo.core.FspoUserException;

/**
 * The API key, read from an environment variable or a file named in the config, on the executor that uses it (so
 * it never travels inside a Spark closure or the config). Its {@link #toString()} is redacted; nothing in this
 * package logs, writes or puts it into an error message.
 */
public final class ApiKey {
  private final String value;

  private ApiKey(String value) {
    this.value = value;
  }

  /** The key named by the config, or an empty key (no Authorization header) when neither source is set. */
  public static ApiKey resolve(LlmConfig config) {
    if (config.apiKeyEnv() != null && !config.apiKeyEnv().isBlank()) {
      String fromEnv = System.getenv(config.apiKeyEnv());
      if (fromEnv == null || fromEnv.isBlank()) {
        throw new FspoUserException("environment variable " + config.apiKeyEnv()
            + " (synth.llm.api_key_env) is not set; export it or use synth.llm.api_key_file", FspoUserException.CONFIG);
      }
      return new ApiKey(fromEnv.strip());
    }
    if (config.apiKeyFile() != null && !config.apiKeyFile().isBlank()) {
      try {
        String line = Files.readAllLines(Path.of(config.apiKeyFile()), StandardCharsets.UTF_8).stream()
            .findFirst().orElse("").strip();
        return new ApiKey(line);
      } catch (IOException e) {
        throw new FspoUserException("cannot read the API key file " + config.apiKeyFile()
            + " (synth.llm.api_key_file); check the path and permissions", FspoUserException.CONFIG);
      }
    }
    return new ApiKey("");
  }

  public boolean isPresent() {
    return !value.isEmpty();
  }

  /** The header value "Bearer ..."; only the HTTP client calls this. */
  String bearer() {
    return "Bearer " + value;
  }

  /** Replaces every occurrence of the key in a text (server messages may echo it). */
  public String redact(String text) {
    return text == null || value.isEmpty() ? text : text.replace(value, "***");
  }

  @Override
  public String toString() {
    return isPresent() ? "ApiKey[***]" : "ApiKey[none]";
  }
}
