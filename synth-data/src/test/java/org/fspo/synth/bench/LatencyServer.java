package org.fspo.synth.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback OpenAI-compatible server with a fixed latency L and a capacity of C concurrent requests: each request
 * takes one of C permits (waiting if none is free), sleeps L ms, answers a fixed chat completion. Its best possible
 * rate is C / L. Run as its own process so that its CPU does not count as the client's:
 * {@code java -cp ... org.fspo.synth.bench.LatencyServer PORT LATENCY_MS CAPACITY}. GET /stats returns the number of
 * requests served.
 */
public final class LatencyServer {
  private static final byte[] ANSWER = ("{\"id\":\"bench\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
      + "\"message\":{\"role\":\"assistant\",\"content\":\"A fixed benchmark answer of a few words.\"},"
      + "\"finish_reason\":\"stop\"}]}").getBytes(StandardCharsets.UTF_8);

  private LatencyServer() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    long latencyMs = Long.parseLong(args[1]);
    int capacity = Integer.parseInt(args[2]);
    Semaphore slots = new Semaphore(capacity, true);
    AtomicLong served = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
    server.setExecutor(Executors.newFixedThreadPool(Math.max(64, capacity * 4)));
    server.createContext("/v1/chat/completions", exchange -> {
      exchange.getRequestBody().readAllBytes();
      try {
        slots.acquire();
        try {
          Thread.sleep(latencyMs);
        } finally {
          slots.release();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      served.incrementAndGet();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, ANSWER.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(ANSWER);
      }
    });
    server.createContext("/stats", exchange -> {
      byte[] body = ("{\"served\":" + served.get() + "}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    System.out.println("latency server on 127.0.0.1:" + port + " L=" + latencyMs + "ms C=" + capacity);
  }
}
