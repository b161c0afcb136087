package org.fspo.synth.stage;

import java.io.Serializable;
import java.util.Map;
import org.fspo.synth.llm.LlmClient;
import org.fspo.synth.llm.LlmClients;
import org.fspo.synth.llm.LlmConfig;

/**
 * What an LLM stage ships to executors: the client config (never the key), the cache folder, the per-executor
 * permits (derived on the driver from the global limit), the run seed and the loaded prompt templates.
 *
 * @param templates       template name ("persona", "question", "views", "response", "judge") to text
 * @param templateVersion "v" + first 8 hex of SHA-256 over the templates, so any edit changes it
 * @param runId           one id per job run: executors keep one circuit breaker per run (see LlmClients)
 */
public record LlmContext(LlmConfig llm, String cacheDir, int permits, long seed, Map<String, String> templates,
    String templateVersion, String runId) implements Serializable {

  /** A context with a fresh run id. */
  public LlmContext(LlmConfig llm, String cacheDir, int permits, long seed, Map<String, String> templates,
      String templateVersion) {
    this(llm, cacheDir, permits, seed, templates, templateVersion, java.util.UUID.randomUUID().toString());
  }

  public LlmContext {
    templates = Map.copyOf(templates);
  }

  /** This JVM's shared client. */
  public LlmClient client() {
    return LlmClients.get(llm, cacheDir, permits, runId);
  }

  public String template(String name) {
    String text = templates.get(name);
    if (text == null) {
      throw new IllegalArgumentException("no prompt template '" + name + "'; add " + name + ".txt to the templates"
          + " folder (synth.pipeline.templates)");
    }
    return text;
  }

  /** Fills {{key}} placeholders. */
  public static String fill(String template, Map<String, String> values) {
    String text = template;
    for (Map.Entry<String, String> entry : values.entrySet()) {
      text = text.replace("{{" + entry.getKey() + "}}", entry.getValue());
    }
    return text;
  }
}
