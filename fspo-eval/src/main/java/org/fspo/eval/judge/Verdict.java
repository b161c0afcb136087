package org.fspo.eval.judge;

import java.util.Map;

/**
 * A parsed judge answer: the identifier of the better output, "m" (shown first) or "M" (shown second). The prompt
 * asks for a single identifier and nothing else; we forgive surrounding whitespace, quotes, backticks and one
 * trailing period, and call anything else MALFORMED (counted in the report, never a crash).
 */
public enum Verdict {
  FIRST("m"),
  SECOND("M"),
  MALFORMED(null);

  private final String identifier;

  Verdict(String identifier) {
    this.identifier = identifier;
  }

  /** "m", "M", or null for MALFORMED. */
  public String identifier() {
    return identifier;
  }

  public static Verdict parse(String text) {
    if (text == null) {
      return MALFORMED;
    }
    String t = text.strip();
    if (t.endsWith(".")) {
      t = t.substring(0, t.length() - 1).strip();
    }
    while (t.length() >= 2 && isQuote(t.charAt(0)) && t.charAt(t.length() - 1) == t.charAt(0)) {
      t = t.substring(1, t.length() - 1).strip();
    }
    return switch (t) {
      case "m" -> FIRST;
      case "M" -> SECOND;
      default -> MALFORMED;
    };
  }

  /**
   * P(this identifier | the answer is m or M) from the first token's top logprobs, as AlpacaEval's
   * {@code logprob_parser}: exp(lp(id) - logsumexp(lp(m), lp(M))). Tokens are compared after stripping whitespace,
   * and several spellings of one identifier (" m", "m") are summed. Null when neither identifier is listed.
   */
  public static Double probability(Map<String, Double> topLogprobs, Verdict of) {
    double pFirst = 0, pSecond = 0;
    for (Map.Entry<String, Double> e : topLogprobs.entrySet()) {
      String token = e.getKey().strip();
      if (token.equals("m")) {
        pFirst += Math.exp(e.getValue());
      } else if (token.equals("M")) {
        pSecond += Math.exp(e.getValue());
      }
    }
    if (pFirst + pSecond == 0) {
      return null;
    }
    return (of == FIRST ? pFirst : pSecond) / (pFirst + pSecond);
  }

  private static boolean isQuote(char c) {
    return c == '"' || c == '\'' || c == '`';
  }
}
