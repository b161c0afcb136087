package org.fspo.train.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code tojson} filter as transformers defines it for chat templates (chat_template_utils.py):
 * {@code json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)}, not jinja2's
 * HTML-escaping filter nor Jinjava's Jackson one. Python's defaults: items joined by {@code ", "} and keys by
 * {@code ": "} without indent; with {@code indent=N}, one item per line, N spaces per level, items ending in ",".
 * Non-ASCII text is kept; quote, backslash and control characters are escaped as json.dumps does.
 */
final class PyJson implements AdvancedFilter {
  @Override
  public String getName() {
    return "tojson";
  }

  @Override
  public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
    Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
    return dumps(value, indent == null ? -1 : ((Number) indent).intValue());
  }

  /** json.dumps(value, ensure_ascii=False, indent=indent) with indent -1 for None. */
  static String dumps(Object value, int indent) {
    StringBuilder out = new StringBuilder();
    write(out, value, indent, 0);
    return out.toString();
  }

  private static void write(StringBuilder out, Object v, int indent, int level) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else if (v instanceof Number n) {
      out.append(n instanceof Double || n instanceof Float ? pyFloat(n.doubleValue()) : n.toString());
    } else if (v instanceof Map<?, ?> map) {
      out.append('{');
      int i = 0;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        separator(out, i++, indent, level + 1);
        string(out, String.valueOf(e.getKey()));
        out.append(": ");
        write(out, e.getValue(), indent, level + 1);
      }
      close(out, '}', map.isEmpty(), indent, level);
    } else if (v instanceof Iterable<?> items) {
      boolean empty = !items.iterator().hasNext();
      out.append('[');
      int i = 0;
      for (Object item : items) {
        separator(out, i++, indent, level + 1);
        write(out, item, indent, level + 1);
      }
      close(out, ']', empty, indent, level);
    } else if (v.getClass().isArray()) {
      List<Object> list = new ArrayList<>();
      for (int i = 0; i < Array.getLength(v); i++) list.add(Array.get(v, i));
      write(out, list, indent, level);
    } else {
      string(out, v.toString());
    }
  }

  private static void separator(StringBuilder out, int index, int indent, int level) {
    if (index > 0) out.append(indent < 0 ? ", " : ",");
    if (indent >= 0) out.append('\n').append(" ".repeat(indent * level));
  }

  private static void close(StringBuilder out, char bracket, boolean empty, int indent, int level) {
    if (!empty && indent >= 0) out.append('\n').append(" ".repeat(indent * level));
    out.append(bracket);
  }

  /** Python's repr of a float: integral values keep ".0"; others use the shortest round-trip digits. */
  private static String pyFloat(double d) {
    if (Double.isNaN(d)) return "NaN";
    if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
    if (d == Math.rint(d) && Math.abs(d) < 1e16) return String.format("%.1f", d);
    return Double.toString(d);
  }

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    out.append('"');
  }
}
