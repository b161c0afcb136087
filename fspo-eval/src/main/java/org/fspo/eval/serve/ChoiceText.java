package org.fspo.eval.serve;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.fspo.eval.generate.TextCodec;

/**
 * The text of one choice as its tokens arrive, cut the way eval's {@link org.fspo.eval.generate.ModelResponseWriter}
 * cuts a response: at the first new section ("\n#"), and here also at the request's stop sequences (not included,
 * as OpenAI does), then stripped. Generation ends as soon as a cut is found, which changes no earlier token.
 *
 * <p>Streaming: {@code onDelta} gets the text in pieces whose concatenation is the final text. A piece is sent only
 * once it cannot change: a trailing fragment that could start a stop sequence, and trailing whitespace (the final
 * strip removes it), are held back until the next token or the end.
 */
public final class ChoiceText implements TokenSink {
  /** Where eval cuts a generated response: the model starting a new "#" section. */
  public static final String SECTION = "\n#";

  /** The finished choice. */
  public record Result(String text, FinishReason finishReason, int completionTokens) {}

  private final TextCodec codec;
  private final List<String> stops;
  private final Consumer<String> onDelta; // null when not streaming
  private final CompletableFuture<Result> result = new CompletableFuture<>();
  private int[] ids = new int[16];
  private int count;
  private String cut; // the text up to a stop sequence, once found
  private String sent = "";

  public ChoiceText(TextCodec codec, List<String> requestStops, Consumer<String> onDelta) {
    this.codec = codec;
    this.stops = new java.util.ArrayList<>(requestStops);
    this.stops.add(SECTION);
    this.onDelta = onDelta;
  }

  public CompletableFuture<Result> result() {
    return result;
  }

  @Override
  public boolean accept(int token) {
    if (count == ids.length) ids = Arrays.copyOf(ids, 2 * count);
    ids[count++] = token;
    String raw = codec.decode(Arrays.copyOf(ids, count));
    int at = firstStop(raw);
    if (at >= 0) {
      cut = raw.substring(0, at);
      return true;
    }
    if (onDelta != null) send(stable(raw));
    return false;
  }

  @Override
  public void finish(FinishReason reason) {
    String raw = cut != null ? cut : codec.decode(Arrays.copyOf(ids, count));
    String text = raw.strip();
    if (onDelta != null) send(text);
    result.complete(new Result(text, reason, count));
  }

  @Override
  public void fail(RuntimeException error) {
    result.completeExceptionally(error);
  }

  private int firstStop(String raw) {
    int best = -1;
    for (String s : stops) {
      int i = raw.indexOf(s);
      if (i >= 0 && (best < 0 || i < best)) best = i;
    }
    return best;
  }

  /** The part of raw no later token can change: no stop-sequence prefix at the end, no edge whitespace. */
  private String stable(String raw) {
    int keep = raw.length();
    for (String s : stops) {
      for (int k = Math.min(s.length() - 1, raw.length()); k > 0; k--) {
        if (raw.endsWith(s.substring(0, k))) {
          keep = Math.min(keep, raw.length() - k);
          break;
        }
      }
    }
    return raw.substring(0, keep).strip();
  }

  /** Sends what text adds to what was sent, if text extends it (a decoder may re-segment; then wait). */
  private void send(String text) {
    if (text.length() > sent.length() && text.startsWith(sent)) {
      onDelta.accept(text.substring(sent.length()));
      sent = text;
    }
  }
}
