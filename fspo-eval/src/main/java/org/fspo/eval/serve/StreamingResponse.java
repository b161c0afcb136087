package org.fspo.eval.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Writes a request's choices as Server-Sent Events, as OpenAI streams: {@code data: {chunk}\n\n} per piece, then
 * {@code data: [DONE]\n\n}. Chat streams open each choice with a chunk carrying the assistant role; each choice ends
 * with a chunk carrying its finish_reason; with stream_options.include_usage a last chunk has the usage. The engine
 * thread only queues events; the HTTP thread writes them, so a slow client never stalls decoding. A client that
 * goes away cancels the request's jobs.
 */
final class StreamingResponse {
  private record Event(int index, String text, ChoiceText.Result done, RuntimeException error) {}

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final ObjectMapper json;

  StreamingResponse(ObjectMapper json) {
    this.json = json;
  }

  /** The engine's text pieces. */
  void delta(int index, String text) {
    events.add(new Event(index, text, null, null));
  }

  /** Writes until every choice has ended. Returns the completion tokens of all choices. */
  int write(CompletionService.Submitted submitted, OpenAiJson shape, OutputStream out, boolean chat)
      throws IOException, InterruptedException {
    for (int i = 0; i < submitted.choices().size(); i++) {
      int index = i;
      submitted.choices().get(i).result().whenComplete((r, e) -> events.add(new Event(index, null, r,
          e == null ? null : e instanceof RuntimeException re ? re : new IllegalStateException(e))));
    }
    try {
      if (chat) {
        for (int i = 0; i < submitted.choices().size(); i++) send(out, shape.chunk(i, "assistant", "", null));
      }
      int open = submitted.choices().size(), tokens = 0;
      while (open > 0) {
        Event e = events.take();
        if (e.error() != null) {
          send(out, new ApiError(500, "server_error", e.error().getMessage(), null, "decode_failed").body(json));
          submitted.cancel();
          break;
        } else if (e.done() != null) {
          open--;
          tokens += e.done().completionTokens();
          send(out, shape.last(e.index(), e.done()));
        } else {
          send(out, shape.chunk(e.index(), null, e.text(), null));
        }
      }
      return tokens;
    } catch (IOException | InterruptedException e) {
      submitted.cancel();
      throw e;
    }
  }

  void send(OutputStream out, ObjectNode chunk) throws IOException {
    out.write(("data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  static void done(OutputStream out) throws IOException {
    out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
