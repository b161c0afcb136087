package org.fspo.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.fspo.core.FspoUserException;

/**
 * A null in a section (YAML {@code null}, {@code ~} or an empty value, from the file or a --set) where the record's
 * default is a value would reach the record as a Java null and end in a NullPointerException's message; refused here
 * as one line with the key and its default. Keys whose default is null (optional ones, e.g. api_key_file) may be null.
 */
final class ConfigNulls {
  private ConfigNulls() {}

  /**
   * @param path     the key path of {@code merged} (e.g. "train", then "train.fspo")
   * @param merged   the section after the file and the --set values
   * @param defaults the same section from the record's defaults()
   * @param where    key path to "the file" or "--set ..." that gave it
   */
  static void refuse(String path, JsonNode merged, JsonNode defaults, UnaryOperator<String> where) {
    for (Iterator<Map.Entry<String, JsonNode>> it = merged.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      JsonNode fallback = defaults == null ? null : defaults.get(entry.getKey());
      String key = path + "." + entry.getKey();
      if (fallback == null || fallback.isNull()) {
        continue;
      }
      if (entry.getValue().isNull()) {
        throw new FspoUserException(where.apply(key) + ": " + key + " is null; give a value (default: "
            + (fallback.isValueNode() ? fallback.asText() : fallback.toString()) + ") or remove the key to keep"
            + " the default", FspoUserException.CONFIG);
      }
      if (entry.getValue().isObject()) {
        refuse(key, entry.getValue(), fallback, where);
      }
    }
  }
}
