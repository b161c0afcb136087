package org.fspo.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Resolves the {@link ConfigPath} values of one section of a config file against the file's folder, before the
 * section is merged over the defaults (so defaults and --set values are never touched). Walks the record type and
 * the file's tree together: {@code synth.pipeline.templates} is the component {@code templates} of the record type
 * of {@code synth.pipeline}. The result keeps a relative config path relative ({@code conf/reviews.yaml} +
 * {@code templates/reviews} = {@code conf/templates/reviews}), so written configs stay portable.
 */
final class ConfigPaths {
  /** "hdfs://", "s3a://", "file:" ...: a URI, not a local relative path. */
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*");
  private static final PropertyNamingStrategies.SnakeCaseStrategy SNAKE =
      new PropertyNamingStrategies.SnakeCaseStrategy();

  private ConfigPaths() {}

  /** A copy of {@code section} with relative paths resolved against {@code baseDir} (null: returned as is). */
  static ObjectNode resolved(Class<?> type, ObjectNode section, Path baseDir) {
    if (baseDir == null || !type.isRecord()) {
      return section;
    }
    ObjectNode copy = section.deepCopy();
    resolve(type, copy, baseDir);
    return copy;
  }

  private static void resolve(Class<?> type, ObjectNode node, Path baseDir) {
    for (RecordComponent component : type.getRecordComponents()) {
      // @JsonProperty does not target record components; javac puts it on the accessor
      JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class);
      String key = property != null && !property.value().isEmpty() ? property.value()
          : SNAKE.translate(component.getName());
      JsonNode value = node.get(key);
      if (value == null) {
        continue;
      }
      if (component.isAnnotationPresent(ConfigPath.class) && value.isTextual()) {
        node.put(key, resolve(value.asText(), baseDir));
      } else if (value.isObject() && component.getType().isRecord()) {
        resolve(component.getType(), (ObjectNode) value, baseDir);
      }
    }
  }

  static String resolve(String path, Path baseDir) {
    if (path.isBlank() || SCHEME.matcher(path).matches() || Path.of(path).isAbsolute()) {
      return path;
    }
    return baseDir.resolve(path).normalize().toString();
  }
}
