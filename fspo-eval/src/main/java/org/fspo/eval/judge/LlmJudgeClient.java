package org.fspo.eval.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.synth.llm.CachingLlmClient;
import org.fspo.synth.llm.ChatMessage;
import org.fspo.synth.llm.ChatRequest;
import org.fspo.synth.llm.ExecutorLimits;
import org.fspo.synth.llm.LlmClient;
import org.fspo.synth.llm.LlmResult;
import org.fspo.synth.llm.OpenAiCompatibleClient;
import org.fspo.synth.llm.ResponseCache;

/**
 * {@link JudgeClient} over synth-data's {@link LlmClient} (HTTP/1.1, retries with backoff and Retry-After, API key
 * from env or file, never logged, optional durable cache). The verdict is the answer's content; the first token's
 * top logprobs are read from the response body ({@code choices[0].logprobs.content[0].top_logprobs}). A call that
 * fails after the client's retries is a user-facing error (the server or the config is wrong), not a verdict.
 */
public final class LlmJudgeClient implements JudgeClient, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JudgeConfig config;
  private final LlmClient client;

  public LlmJudgeClient(JudgeConfig config, LlmClient client) {
    this.config = config;
    this.client = client;
  }

  /** The HTTP client for the config, with its durable cache under {@code cacheDir} when llm.cache is on. */
  public static LlmJudgeClient open(JudgeConfig config, Path cacheDir) {
    var llm = config.clientConfig();
    LlmClient http = new OpenAiCompatibleClient(llm, ExecutorLimits.forServer(llm.baseUrl(),
        llm.permitsPerExecutor(1)));
    return new LlmJudgeClient(config, llm.cache() ? new CachingLlmClient(http, new ResponseCache(cacheDir)) : http);
  }

  @Override
  public JudgeReply complete(List<ChatMessage> messages) {
    LlmResult result = client.complete(
        new ChatRequest(config.model(), messages, config.temperature(), config.maxTokens(), config.seed(), null));
    if (!result.isOk()) {
      throw new FspoUserException("the judge at " + config.llm().baseUrl() + " failed (" + result.reason() + "): "
          + result.detail() + "; check judge.model and judge.llm in the judge config", FspoUserException.DATA);
    }
    return new JudgeReply(result.content(), topLogprobs(result.raw()));
  }

  /** First token's top logprobs from a chat-completion body; empty when absent or unreadable. */
  static Map<String, Double> topLogprobs(String body) {
    Map<String, Double> top = new LinkedHashMap<>();
    if (body == null) {
      return top;
    }
    try {
      JsonNode first = JSON.readTree(body).path("choices").path(0).path("logprobs").path("content").path(0);
      for (JsonNode t : first.path("top_logprobs")) {
        if (t.path("token").isTextual() && t.path("logprob").isNumber()) {
          top.merge(t.get("token").asText(), t.get("logprob").asDouble(), Math::max);
        }
      }
    } catch (IOException e) {
      return Map.of();
    }
    return top;
  }

  @Override
  public void close() {
    client.close();
  }
}
