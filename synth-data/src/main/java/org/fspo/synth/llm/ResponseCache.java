package org.fspo.synth.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The durable answer cache: one JSON file per call under {@code <cache>/<key[0:2]>/<key>.json} (synth: {@code <out>.llm_cache}), where key is
 * {@link ChatRequest#cacheKey()}. A file is written to a temporary name and atomically renamed, so after a kill -9 a
 * file is either complete or absent; a rerun reads it instead of calling the server. Only answers are stored
 * ({@link CachingLlmClient}); a failed result found in a file written by an older version is ignored (a miss), so
 * an outage recorded there is retried. Delete the folder to call everything again.
 *
 * <p>File: {"key": ..., "request": {model, messages, temperature, max_tokens, seed, response_schema},
 * "result": {is_ok, content, reason, detail, raw, attempts}}. No API key is ever part of it. The folder must be
 * visible to every executor (the local disk on one machine, a shared mount on a cluster); otherwise executors on
 * other hosts simply miss and call again.
 */
public final class ResponseCache {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path root;

  public ResponseCache(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Optional<LlmResult> get(String key) {
    Path file = fileOf(key);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      JsonNode result = JSON.readTree(file.toFile()).path("result");
      if (!result.path("is_ok").asBoolean()) {
        return Optional.empty(); // an older version cached failures; an outage must not become a permanent answer
      }
      return Optional.of(new LlmResult(result.path("is_ok").asBoolean(), text(result, "content"),
          text(result, "reason"), text(result, "detail"), text(result, "raw"), result.path("attempts").asInt()));
    } catch (IOException unreadable) {
      return Optional.empty(); // only a foreign or damaged file can get here; the call is made again and rewritten
    }
  }

  public void put(String key, ChatRequest request, LlmResult result) {
    ObjectNode node = JSON.createObjectNode();
    node.put("key", key);
    node.set("request", request.canonicalJson());
    ObjectNode value = node.putObject("result");
    value.put("is_ok", result.isOk());
    value.put("content", result.content());
    value.put("reason", result.reason());
    value.put("detail", result.detail());
    value.put("raw", result.raw());
    value.put("attempts", result.attempts());
    Path file = fileOf(key);
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(key + "." + UUID.randomUUID() + ".tmp");
      JSON.writeValue(tmp.toFile(), node);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the LLM cache file " + file, e);
    }
  }

  private Path fileOf(String key) {
    return root.resolve(key.substring(0, 2)).resolve(key + ".json");
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isNull() || value.isMissingNode() ? null : value.asText();
  }
}
