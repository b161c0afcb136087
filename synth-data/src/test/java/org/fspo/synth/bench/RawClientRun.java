package org.fspo.synth.bench;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.fspo.synth.llm.ChatMessage;
import org.fspo.synth.llm.ChatRequest;
import org.fspo.synth.llm.LlmConfig;
import org.fspo.synth.llm.OpenAiCompatibleClient;

/** The client alone, no Spark and no cache: {@code RawClientRun BASE_URL CALLS THREADS}; prints achieved rps. */
public final class RawClientRun {
  private RawClientRun() {}

  public static void main(String[] args) throws Exception {
    int calls = Integer.parseInt(args[1]), threads = Integer.parseInt(args[2]);
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(LlmConfig.defaults().withBaseUrl(args[0]),
        new Semaphore(threads));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger ok = new AtomicInteger();
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      int n = i;
      pool.submit(() -> {
        if (client.complete(new ChatRequest("m", List.of(ChatMessage.user("q " + n)), 0.5, 16, n, null)).isOk()) {
          ok.incrementAndGet();
        }
      });
    }
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("RAW calls %d ok %d seconds %.2f rps %.2f%n", calls, ok.get(), seconds, calls / seconds);
  }
}
