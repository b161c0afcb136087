package org.fspo.core.config;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.fspo.core.FspoUserException;

/** {@link ConfigLoader}'s one-line errors: Jackson's binding failures said as the key, the expected value and the fix. */
final class ConfigErrors {
  private ConfigErrors() {}

  /**
   * One line for a section that failed to bind: which key, where it was set ({@code whereSet} maps a key path to
   * "--set ..." or the file name), what it must be, and the fix.
   */
  static FspoUserException explain(String name, Exception e, UnaryOperator<String> whereSet) {
    String path = name;
    if (e instanceof JsonMappingException mapping) {
      path = name + mapping.getPath().stream()
          .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
          .reduce("", String::concat);
    }
    ConfigValueException refused = causeOf(e, ConfigValueException.class);
    if (refused != null) {
      // the record that refused sits at `path`; its key is relative to it
      String key = path + "." + refused.key();
      return new FspoUserException(whereSet.apply(key) + ": " + refused.describe(key) + "; fix the value",
          FspoUserException.CONFIG, e);
    }
    String where = whereSet.apply(path);
    String message;
    if (e instanceof UnrecognizedPropertyException unknown) {
      List<String> known = new ArrayList<>();
      unknown.getKnownPropertyIds().forEach(id -> known.add(String.valueOf(id)));
      known.sort(null);
      message = where + ": unknown key '" + path + "'; the keys of " + path.substring(0, path.lastIndexOf('.'))
          + " are " + known + ", fix the spelling or remove it";
    } else if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      String got = e instanceof InvalidFormatException bad ? " '" + bad.getValue() + "'" : "";
      message = where + ": '" + path + "' must be " + describe(mismatch.getTargetType()) + ", got" + got
          + (got.isEmpty() ? " a value of another type" : "") + "; fix the value";
    } else {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      message = where + ": section '" + path + "' is invalid: " + firstLine(root.getMessage());
    }
    return new FspoUserException(message, FspoUserException.CONFIG, e);
  }

  private static <X extends Throwable> X causeOf(Throwable e, Class<X> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }

  private static String describe(Class<?> type) {
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "an integer";
    }
    if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "text";
    }
    if (type.isEnum()) {
      List<String> names = new ArrayList<>();
      for (Object constant : type.getEnumConstants()) {
        names.add(((Enum<?>) constant).name().toLowerCase(java.util.Locale.ROOT));
      }
      return "one of " + names;
    }
    if (List.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    return "a " + type.getSimpleName();
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "no detail";
    }
    int newline = text.indexOf('\n');
    return (newline < 0 ? text : text.substring(0, newline)).strip();
  }
}
