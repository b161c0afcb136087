package org.fspo.eval.generate;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.ChatFormat;
import org.fspo.core.prompt.FewShotPrompt;
import org.fspo.core.prompt.PromptFormat;

/**
 * Generates a method's response with its policy: the method's rendered prompt (shots, or none for a 0-shot method),
 * then the completion the model was trained to write. For the plain formats the completion header
 * ({@code ## Preferred Response \n}) is part of the prompt and the model writes the response; for COT the prompt
 * ends with {@code ## User Description\n}, the model writes the description, and the response is the text after
 * its response header. Generation
 * ends at EOS, at max tokens, or as soon as the response part starts a new section ("\n#"), which the response
 * excludes.
 *
 * @param generator the policy's sampler
 * @param codec     the policy's tokenizer
 * @param format    the method's prompt variant (COT: withDescription and not teacher-forced)
 * @param zeroShot  render without shots (population)
 * @param method    the method key, part of each request's RNG key
 * @param chat      the run's chat format (train.data.chat_template): the prompt is the chat template's rendering,
 *                  and the generator stops at its end of turn
 */
public record ModelResponseWriter(Generator generator, TextCodec codec, PromptFormat format, boolean zeroShot,
    String method, ChatFormat chat) implements ResponseWriter {
  public ModelResponseWriter(Generator generator, TextCodec codec, PromptFormat format, boolean zeroShot,
      String method) {
    this(generator, codec, format, zeroShot, method, ChatFormat.NONE);
  }

  private static final Pattern RESPONSE_HEADER = Pattern.compile("## (Preferred )?Response ?\n");

  /** The text the model continues: the method's rendered prompt, then the header of what it writes first. */
  public String prompt(Episode episode) {
    return prompt(zeroShot ? List.of() : episode.shots(), episode.query(), format, chat);
  }

  /**
   * The text a model continues, for eval and serve alike: the shots and query rendered in {@code format} (through the
   * chat template), then the header of what the model writes first.
   */
  public static String prompt(List<PreferencePair> shots, PreferencePair query, PromptFormat format, ChatFormat chat) {
    // COT: the description header is given, as in the description writer, so that the model starts writing it
    return FewShotPrompt.render(shots, query, format, chat).prompt()
        + (writesDescription(format) ? FewShotPrompt.DESCRIPTION_HEADER : FewShotPrompt.responseHeader(format));
  }

  /** COT (fspo_cot): the model writes a user description, then its response header and the response. */
  public boolean writesDescription() {
    return writesDescription(format);
  }

  /** Whether a model sampled in {@code format} writes a user description first (COT). */
  public static boolean writesDescription(PromptFormat format) {
    return format.withDescription() && !format.teacherForced();
  }

  @Override
  public String respond(Episode episode) {
    return sample(episode).response();
  }

  /**
   * One generated response and how generation ended.
   *
   * @param response   the response text (for COT, the text after the model's response header)
   * @param raw        everything the model wrote (for COT, its description too)
   * @param tokens     new tokens generated
   * @param endedAtEos the model ended it with EOS (not max_tokens or the context's end)
   */
  public record Sample(String response, String raw, int tokens, boolean endedAtEos) {}

  /** {@link #respond}, with the raw text and how generation ended. */
  public Sample sample(Episode episode) {
    PreferencePair q = episode.query();
    String key = method + "|" + q.userId() + "|" + q.pairId() + "|" + (zeroShot ? 0 : episode.shots().size());
    // stop as soon as the response part holds a new section: what follows is cut anyway, and a model that never
    // learned EOS would otherwise write to max_tokens (the tokens before the cut, and so the response, are the same)
    Generator.Output out = generator.sample(codec.encode(prompt(episode)), key,
        (tokens, n) -> responsePart(codec.decode(Arrays.copyOf(tokens, n))).contains("\n#"));
    String raw = codec.decode(out.tokens());
    String text = responsePart(raw);
    int section = text.indexOf("\n#");
    return new Sample((section < 0 ? text : text.substring(0, section)).strip(), raw, out.tokens().length,
        out.endedAtEos());
  }

  /** The text the response is cut from: all of it, or for COT what follows the model's response header ("" before). */
  private String responsePart(String written) {
    if (!writesDescription()) {
      return written;
    }
    String after = afterResponseHeader(written);
    return after == null ? "" : after;
  }

  /**
   * What a COT model wrote after its response header (the response, before any cut), or null while it has written
   * none. {@code written} is its completion after the prompt's description header.
   */
  public static String afterResponseHeader(String written) {
    // a word-level tokenizer's decode does not restore the space before "\n", so match the header loosely
    Matcher m = RESPONSE_HEADER.matcher(written);
    return m.find() ? written.substring(m.end()) : null;
  }

  /** The user description a COT model wrote: its completion up to the response header (all of it if none), stripped. */
  public static String descriptionPart(String written) {
    Matcher m = RESPONSE_HEADER.matcher(written);
    return (m.find() ? written.substring(0, m.start()) : written).strip();
  }
}
