package org.fspo.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.Episode;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.prompt.ChatFormat;
import org.fspo.core.prompt.FewShotPrompt;
import org.fspo.core.prompt.PromptFormat;
import org.fspo.core.prompt.RenderedPair;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.tokenizer.TextTokenizer;

/**
 * Episodes to a {@link TokenBatch}: render with {@link FewShotPrompt}, tokenize the prompt and the two completions
 * separately (no special tokens), append the end-of-sequence id to each completion (as the official DPO/FSPO code
 * does, so generation learns to stop), concatenate, right-pad. Pair i is rows 2i (chosen) and 2i+1 (rejected).
 *
 * <p>Worked example (the test's: one token per word or newline, pad 0, eos {@code </s>}, max_seq_len 24,
 * min_response_tokens 6; one shot q1 "Pick?", w1 "A", l1 "B"; query "Which one wins?", chosen "yes", rejected
 * "no no no no no no no no"):
 *
 * <pre>
 *   1-shot prompt 45 tokens + longest completion 14 &gt; 24   -&gt; drop the shot (the 0-shot prompt has 18 tokens)
 *   18 + 14 &gt; 24, and "Which" alone gives 16 + 14 &gt; 24      -&gt; the question keeps one word
 *   room for completions 24 - 16 = 8                         -&gt; chosen (7) stays, rejected (14) keeps its first 8
 *   row 0 (chosen)    # Task \n Generate a response to the following question. \n ## Question \n Which \n
 *                     ## Preferred Response \n yes \n &lt;/s&gt; &lt;pad&gt;
 *   row 1 (rejected)  (the same 16 prompt tokens) ## Preferred Response \n no no no no
 *   attentionMask     row 0: 23 ones, 1 zero;            row 1: 24 ones
 *   responseMask      row 0: 16 zeros, 7 ones, 1 zero;   row 1: 16 zeros, 8 ones
 *   truncation        shotsDropped 1, questionsShortened 1, responsesCut 1, promptsCut 0
 * </pre>
 *
 * In general, to fit {@code max_seq_len}:
 *
 * <ol>
 *   <li>drop whole context shots, the last ones first (the remaining shots keep their numbers 1..k);</li>
 *   <li>with no shot left, shorten the query question word by word from its end (at least one word stays);</li>
 *   <li>cut the longer completion's tail to what is left, but never below {@code minResponseTokens} (or its full
 *       length when shorter): a completion is never cut to nothing, the official code's bug;</li>
 *   <li>if the prompt plus that minimum still does not fit, cut the prompt from the left.</li>
 * </ol>
 *
 * Each step is counted in {@link Truncation}. Responses are cut at the end, so the EOS token is what goes first.
 *
 * <p>With a chat template ({@link ChatFormat}, train.data.chat_template: auto) the prompt is the template's
 * rendering of the few-shot prompt as one user message (it already holds the template's special tokens, e.g. Llama
 * 3's BOS, and is tokenized without adding any), each completion ends with the template's end-of-turn text, which
 * must be one token, and no EOS is appended after it: the end of turn is where the model learns to stop.
 */
public final class PairCollator {
  private final TextTokenizer tokenizer;
  private final PromptFormat format;
  private final int maxSeqLen;
  private final int minResponseTokens;
  private final ChatFormat chat;

  public PairCollator(TextTokenizer tokenizer, PromptFormat format, int maxSeqLen, int minResponseTokens) {
    this(tokenizer, format, ChatFormat.NONE, maxSeqLen, minResponseTokens);
  }

  public PairCollator(TextTokenizer tokenizer, PromptFormat format, ChatFormat chat, int maxSeqLen,
      int minResponseTokens) {
    if (minResponseTokens < 1 || maxSeqLen < minResponseTokens + 1) {
      throw new IllegalArgumentException("need 1 <= min_response_tokens < max_seq_len, got " + minResponseTokens
          + " and " + maxSeqLen);
    }
    this.tokenizer = tokenizer;
    this.format = format;
    this.maxSeqLen = maxSeqLen;
    this.minResponseTokens = minResponseTokens;
    this.chat = chat;
    if (chat.isChat()) stopId(tokenizer, chat); // a one-line error now rather than at the first batch
  }

  /**
   * The id that ends a reply: the tokenizer's EOS, or with a chat template the single token of its end of turn
   * (a one-line error naming the template when that text is not exactly one token of the tokenizer).
   */
  public static int stopId(TextTokenizer tokenizer, ChatFormat chat) {
    if (!chat.isChat()) return tokenizer.eosId();
    int[] ids = tokenizer.encode(chat.endOfTurn());
    if (ids.length != 1) {
      throw new FspoUserException(chat + ": the chat template ends a reply with \"" + chat.endOfTurn()
          + "\", which the tokenizer splits into " + ids.length + " tokens; use the checkpoint's own tokenizer.json "
          + "(it has that token as an added token) or set train.data.chat_template: none", FspoUserException.CONFIG);
    }
    return ids[0];
  }

  /** How prompts are wrapped ({@link ChatFormat#NONE} for the paper's raw prompt); callers that render pass it on. */
  public ChatFormat chat() {
    return chat;
  }

  public PromptFormat format() {
    return format;
  }

  public int maxSeqLen() {
    return maxSeqLen;
  }

  /** One tokenized pair before padding. */
  record Rows(int[] prompt, int[] chosen, int[] rejected, int shots, Truncation truncation) {}

  public Collated collate(List<Episode> episodes) {
    List<Rows> rows = new ArrayList<>(episodes.size());
    for (Episode e : episodes) rows.add(fit(e));
    return pad(rows);
  }

  /**
   * Pairs as {@link FewShotPrompt} renders them without chat (no shots to drop): only steps 3 and 4 apply. For
   * scoring: the collator wraps them in its {@link #chat()} format ({@link ChatFormat#wrap}), so scored pairs are
   * tokenized exactly as training's.
   */
  public Collated collateRendered(List<RenderedPair> pairs) {
    List<Rows> rows = new ArrayList<>(pairs.size());
    for (RenderedPair raw : pairs) {
      RenderedPair p = chat.wrap(raw);
      rows.add(cutResponses(tokenizer.encode(p.prompt()), completion(p.chosen()), completion(p.rejected()), 0,
          Truncation.NONE));
    }
    return pad(rows);
  }

  Rows fit(Episode episode) {
    List<PreferencePair> shots = episode.shots();
    PreferencePair query = episode.query();
    RenderedPair r = FewShotPrompt.render(shots, query, format, chat);
    int[] chosen = completion(r.chosen()), rejected = completion(r.rejected());
    int response = Math.max(chosen.length, rejected.length);
    int[] prompt = tokenizer.encode(r.prompt());
    int k = shots.size();
    while (k > 0 && prompt.length + response > maxSeqLen) {
      k--;
      prompt = tokenizer.encode(FewShotPrompt.render(shots.subList(0, k), query, format, chat).prompt());
    }
    Truncation t = new Truncation(shots.size() - k, 0, 0, 0);
    if (prompt.length + response > maxSeqLen) {
      String[] words = query.prompt().strip().split("\\s+");
      int best = 1, lo = 2, hi = words.length - 1; // the most words that still fit; the first always stays
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (encodeWithQuestion(query, words, mid).length + response <= maxSeqLen) {
          best = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      prompt = encodeWithQuestion(query, words, best);
      t = t.plus(new Truncation(0, 1, 0, 0));
    }
    return cutResponses(prompt, chosen, rejected, k, t);
  }

  private int[] encodeWithQuestion(PreferencePair q, String[] words, int n) {
    String question = String.join(" ", Arrays.copyOf(words, n));
    PreferencePair shorter = new PreferencePair(q.userId(), q.pairId(), question, q.chosen(), q.rejected(),
        q.userDescription(), q.domain(), q.split(), q.provenance());
    return tokenizer.encode(FewShotPrompt.render(List.of(), shorter, format, chat).prompt());
  }

  private Rows cutResponses(int[] prompt, int[] chosen, int[] rejected, int shots, Truncation t) {
    int room = Math.max(maxSeqLen - prompt.length, minResponseTokens);
    long cut = 0;
    if (chosen.length > room) {
      chosen = Arrays.copyOf(chosen, room);
      cut++;
    }
    if (rejected.length > room) {
      rejected = Arrays.copyOf(rejected, room);
      cut++;
    }
    int response = Math.max(chosen.length, rejected.length);
    long promptsCut = 0;
    if (prompt.length + response > maxSeqLen) {
      prompt = Arrays.copyOfRange(prompt, prompt.length - (maxSeqLen - response), prompt.length);
      promptsCut = 1;
    }
    return new Rows(prompt, chosen, rejected, shots, t.plus(new Truncation(0, 0, cut, promptsCut)));
  }

  /** A completion's ids; the paper's format appends EOS, a chat completion already ends with its end of turn. */
  private int[] completion(String text) {
    int[] ids = tokenizer.encode(text);
    if (chat.isChat()) return ids;
    int[] out = Arrays.copyOf(ids, ids.length + 1);
    out[ids.length] = tokenizer.eosId();
    return out;
  }

  private Collated pad(List<Rows> pairs) {
    int t = 0;
    for (Rows r : pairs) t = Math.max(t, r.prompt().length + Math.max(r.chosen().length, r.rejected().length));
    int b = 2 * pairs.size();
    int[][] ids = new int[b][t], attention = new int[b][t], response = new int[b][t];
    int[] shots = new int[pairs.size()];
    Truncation trunc = Truncation.NONE;
    long real = 0;
    for (int i = 0; i < pairs.size(); i++) {
      Rows r = pairs.get(i);
      shots[i] = r.shots();
      trunc = trunc.plus(r.truncation());
      real += fill(ids[2 * i], attention[2 * i], response[2 * i], r.prompt(), r.chosen());
      real += fill(ids[2 * i + 1], attention[2 * i + 1], response[2 * i + 1], r.prompt(), r.rejected());
    }
    return new Collated(new TokenBatch(ids, attention, response), shots, trunc, real);
  }

  private int fill(int[] ids, int[] attention, int[] response, int[] prompt, int[] completion) {
    Arrays.fill(ids, tokenizer.padId());
    System.arraycopy(prompt, 0, ids, 0, prompt.length);
    System.arraycopy(completion, 0, ids, prompt.length, completion.length);
    int n = prompt.length + completion.length;
    Arrays.fill(attention, 0, n, 1);
    Arrays.fill(response, prompt.length, n, 1);
    return n;
  }
}
