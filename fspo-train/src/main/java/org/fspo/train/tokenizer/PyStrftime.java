package org.fspo.train.tokenizer;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * {@code strftime_now(format)}, the global transformers gives chat templates (Llama 3.x writes "Today Date: 26 Jul
 * 2024" with it), over a FIXED date: {@link #NOW}, the Llama 3.x templates' own fallback. transformers uses today's
 * date; a fixed one makes a run render the same prompt on every day, so training, resume, the reference cache and
 * evaluation tokenize alike. Python's C-locale codes: %d %m %Y %y %b %B %a %A %H %M %S %j %%.
 */
public final class PyStrftime {
  /** The instant every template sees as "now". */
  public static final LocalDateTime NOW = LocalDateTime.of(2024, 7, 26, 0, 0);

  private PyStrftime() {}

  /** Called by templates as {@code strftime_now("%d %b %Y")}. */
  public static String now(String format) {
    return format(NOW, format);
  }

  static String format(LocalDateTime t, String format) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 == format.length()) {
        out.append(c);
        continue;
      }
      char code = format.charAt(++i);
      out.append(switch (code) {
        case 'd' -> String.format("%02d", t.getDayOfMonth());
        case 'm' -> String.format("%02d", t.getMonthValue());
        case 'Y' -> String.valueOf(t.getYear());
        case 'y' -> String.format("%02d", t.getYear() % 100);
        case 'b' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
        case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
        case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
        case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
        case 'H' -> String.format("%02d", t.getHour());
        case 'M' -> String.format("%02d", t.getMinute());
        case 'S' -> String.format("%02d", t.getSecond());
        case 'j' -> String.format("%03d", t.getDayOfYear());
        case '%' -> "%";
        default -> throw new IllegalArgumentException("strftime_now: unsupported format code %" + code);
      });
    }
    return out.toString();
  }
}
