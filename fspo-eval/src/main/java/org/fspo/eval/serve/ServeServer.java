package org.fspo.eval.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.fspo.core.FspoUserException;

/**
 * The OpenAI-compatible HTTP front of {@code fspo serve}, on Javalin (Jetty 11):
 *
 * <pre>
 * POST /v1/chat/completions   POST /v1/completions   GET /v1/models   GET /health
 * </pre>
 *
 * It binds first and answers 503 (with Retry-After) until {@link #ready} hands it the loaded model, so a client or a
 * load balancer can wait on /health. With an API key, every /v1 request needs {@code Authorization: Bearer KEY}
 * (compared in constant time; the key is never logged). Every error is OpenAI's JSON shape; a failing request
 * never affects another. {@link #stop} drains: new requests get 503, queued and running ones finish, then it closes.
 */
public final class ServeServer implements AutoCloseable {
  private static final int RETRY_AFTER_S = 1;
  private final ObjectMapper json = new ObjectMapper();
  private final RequestParser parser = new RequestParser(json);
  private final byte[] apiKey; // null: no authentication
  private final AtomicInteger inFlight = new AtomicInteger();
  private final long created = System.currentTimeMillis() / 1000;
  private volatile CompletionService service; // null while loading
  private volatile boolean draining;
  private boolean stopped;
  private Javalin app;

  /** @param apiKey the key clients must send, or null for none */
  public ServeServer(String apiKey) {
    this.apiKey = apiKey == null ? null : apiKey.getBytes(StandardCharsets.UTF_8);
  }

  /** Binds host:port (0 = any free port) and starts answering; returns the bound port. */
  public int start(String host, int port, int httpThreads) {
    app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.startupWatcherEnabled = false;
      config.http.disableCompression(); // SSE chunks must reach the client as they are written
      config.jetty.threadPool = new QueuedThreadPool(httpThreads, Math.min(8, httpThreads), 60_000);
    });
    app.before("/v1/*", this::authenticate);
    app.post("/v1/chat/completions", ctx -> generate(ctx, true));
    app.post("/v1/completions", ctx -> generate(ctx, false));
    app.get("/v1/models", ctx -> send(ctx, 200, OpenAiJson.models(json, backend().model().id(), created)));
    app.get("/health", this::health);
    app.exception(ApiError.class, (e, ctx) -> error(ctx, e));
    app.exception(Exception.class, (e, ctx) -> error(ctx, new ApiError(500, "server_error",
        "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage(), null, "internal_error")));
    app.error(404, ctx -> {
      if (ctx.result() == null || !ctx.result().startsWith("{\"error\"")) { // Javalin's own "not found" text
        error(ctx, new ApiError(404, "invalid_request_error", "no endpoint " + ctx.method() + " " + ctx.path()
            + "; see /v1/chat/completions, /v1/completions, /v1/models, /health", null, "unknown_url"));
      }
    });
    try {
      app.start(host, port);
    } catch (RuntimeException e) {
      throw new FspoUserException("cannot listen on " + host + ":" + port + " (" + rootMessage(e)
          + "); pick another --port or --host", FspoUserException.CANT_CREATE);
    }
    return app.port();
  }

  /** The model is loaded: requests are served from now on. */
  public void ready(CompletionService loaded) {
    this.service = loaded;
  }

  private CompletionService backend() {
    CompletionService s = service;
    if (draining) throw new ApiError(503, "server_error", "the server is shutting down", null, "shutting_down");
    if (s == null) throw new ApiError(503, "server_error", "the model is loading; retry shortly", null, "loading");
    return s;
  }

  private void authenticate(Context ctx) {
    if (apiKey == null) return;
    String header = ctx.header("Authorization");
    byte[] sent = header != null && header.startsWith("Bearer ")
        ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
    if (!MessageDigest.isEqual(sent, apiKey)) {
      throw new ApiError(401, "authentication_error", header == null ? "missing API key: send Authorization: "
          + "Bearer KEY" : "incorrect API key", null, "invalid_api_key");
    }
  }

  private void health(Context ctx) {
    ObjectNode body = json.createObjectNode();
    CompletionService s = service;
    body.put("status", draining ? "shutting_down" : s == null ? "loading" : "ok");
    if (s != null) {
      body.put("model", s.model().id());
      body.put("load", s.engine().load());
    }
    if (draining || s == null) ctx.header("Retry-After", String.valueOf(RETRY_AFTER_S));
    send(ctx, draining || s == null ? 503 : 200, body);
  }

  private void generate(Context ctx, boolean chat) throws Exception {
    inFlight.incrementAndGet();
    try {
      CompletionService s = backend();
      GenerationRequest request = parser.parse(ctx.body(), chat);
      CompletionService.Prepared p = s.prepare(request);
      String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
      OpenAiJson shape = new OpenAiJson(json, chat, id, System.currentTimeMillis() / 1000, s.model().id(),
          p.who().fingerprint());
      ctx.header("X-FSPO-Personalization", p.who().source());
      ctx.header("X-FSPO-Shots", String.valueOf(p.who().shots().size()));
      if (request.stream()) {
        stream(ctx, s, p, shape, chat);
      } else {
        CompletionService.Submitted sub = s.submit(p, null);
        List<ChoiceText.Result> results = new ArrayList<>();
        for (ChoiceText c : sub.choices()) results.add(await(c));
        send(ctx, 200, shape.response(results, p.promptIds().length));
      }
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void stream(Context ctx, CompletionService s, CompletionService.Prepared p, OpenAiJson shape, boolean chat)
      throws Exception {
    StreamingResponse sse = new StreamingResponse(json);
    CompletionService.Submitted sub = s.submit(p, sse::delta); // a 429 is still a plain JSON error
    ctx.status(200);
    ctx.contentType("text/event-stream");
    ctx.header("Cache-Control", "no-cache");
    OutputStream out = ctx.res().getOutputStream();
    int tokens = sse.write(sub, shape, out, chat);
    if (p.request().includeUsage()) sse.send(out, shape.usageChunk(p.promptIds().length, tokens));
    StreamingResponse.done(out);
  }

  private static ChoiceText.Result await(ChoiceText c) {
    try {
      return c.result().join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof FspoUserException u) {
        throw new ApiError(400, "invalid_request_error", u.getMessage(), null, "invalid_value");
      }
      throw new ApiError(500, "server_error", String.valueOf(cause.getMessage()), null, "decode_failed");
    }
  }

  private void error(Context ctx, ApiError e) {
    if (e.status() == 429 || e.status() == 503) ctx.header("Retry-After", String.valueOf(RETRY_AFTER_S));
    send(ctx, e.status(), e.body(json));
  }

  private void send(Context ctx, int status, ObjectNode body) {
    ctx.status(status);
    ctx.contentType("application/json");
    try {
      ctx.result(json.writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) e = e.getCause();
    return e.getMessage();
  }

  /**
   * Drains and stops: new requests get 503; queued and running jobs finish (up to {@code timeoutMs}); requests whose
   * jobs ended get their responses written; then the HTTP server closes and the engine stops.
   */
  public synchronized void stop(long timeoutMs) throws InterruptedException {
    if (stopped) return;
    stopped = true;
    draining = true;
    long deadline = System.currentTimeMillis() + timeoutMs;
    CompletionService s = service;
    if (s != null) s.engine().drain(timeoutMs);
    while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
    if (app != null) app.stop();
    if (s != null) s.engine().close();
  }

  @Override
  public void close() {
    try {
      stop(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
