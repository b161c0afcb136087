package org.fspo.eval.serve;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.fspo.eval.generate.ModelResponseWriter;
import org.fspo.eval.generate.TextCodec;

/**
 * The text of one choice as its tokens arrive, cut the way eval's {@link org.fspo.eval.generate.ModelResponseWriter}
 * cuts a response: at the first new section ("\n#"), and here also at the request's stop sequences (not included,
 * as OpenAI does), then stripped. Generation ends as soon as a cut is found, which changes no earlier token.
 *
 * <p>Streaming: {@code onDelta} gets the text in pieces whose concatenation is the final text. A piece is sent only
 * once it cannot change: a trailing fragment that could start a stop sequence, and trailing whitespace (the final
 * strip removes it), are held back until the next token or the end.
 *
 * <p>A model that writes a user description first (fspo_cot) writes {@code description \n## Response \n response}
 * after its prompt's description header: the choice's text is the response part, cut and streamed as above, and the
 * description is kept apart ({@link Result#description}), as eval's ModelResponseWriter splits it. Stops apply to
 * the response part only, and nothing is streamed before it starts.
 */
public final class ChoiceText implements TokenSink {
  /** Where eval cuts a generated response: the model starting a new "#" section. */
  public static final String SECTION = "\n#";

  /**
   * The finished choice.
   *
   * @param completionTokens every token generated (a description's too)
   * @param description      the user description the model wrote before its response (fspo_cot), else null
   */
  public record Result(String text, FinishReason finishReason, int completionTokens, String description) {}

  private final TextCodec codec;
  private final List<String> stops;
  private final Consumer<String> onDelta; // null when not streaming
  private final boolean describesFirst;
  private final CompletableFuture<Result> result = new CompletableFuture<>();
  private int[] ids = new int[16];
  private int count;
  private String cut; // the text up to a stop sequence, once found
  private String sent = "";

  public ChoiceText(TextCodec codec, List<String> requestStops, Consumer<String> onDelta) {
    this(codec, requestStops, onDelta, false);
  }

  /** @param describesFirst the model writes a user description, then its response header and the response */
  public ChoiceText(TextCodec codec, List<String> requestStops, Consumer<String> onDelta, boolean describesFirst) {
    this.codec = codec;
    this.stops = new java.util.ArrayList<>(requestStops);
    this.stops.add(SECTION);
    this.onDelta = onDelta;
    this.describesFirst = describesFirst;
  }

  public CompletableFuture<Result> result() {
    return result;
  }

  @Override
  public boolean accept(int token) {
    if (count == ids.length) ids = Arrays.copyOf(ids, 2 * count);
    ids[count++] = token;
    String raw = responsePart(codec.decode(Arrays.copyOf(ids, count)));
    if (raw == null) return false; // still writing the description
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
    String written = codec.decode(Arrays.copyOf(ids, count));
    String part = responsePart(written);
    String text = (cut != null ? cut : part == null ? "" : part).strip();
    if (onDelta != null) send(text);
    result.complete(new Result(text, reason, count,
        describesFirst ? ModelResponseWriter.descriptionPart(written) : null));
  }

  /** The part of what the model wrote that is the response: all of it, or after a COT model's response header. */
  private String responsePart(String written) {
    return describesFirst ? ModelResponseWriter.afterResponseHeader(written) : written;
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
