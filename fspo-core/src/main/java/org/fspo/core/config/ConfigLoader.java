package org.fspo.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.fspo.core.FspoUserException;

/**
 * Reads config sections into records. A config file (YAML, or JSON by its .json extension) has top-level sections
 * such as {@code synth:}, {@code train:}, {@code eval:}; each section maps onto one record type whose component
 * names are the snake_case keys.
 *
 * <p>Precedence, lowest first (nanoGPT's configurator, without the exec): the record's static {@code defaults()},
 * then the file's section (deep-merged: nested maps merge key by key, lists and scalars replace), then each
 * {@code --set section.key.sub=value} in order, the value read as a YAML scalar or flow value ({@code 4},
 * {@code 1e-3}, {@code true}, {@code null}, {@code [0, 1, 2]}, or text).
 *
 * <p>Strict: an unknown section, an unknown key, or a value of the wrong type is an {@link FspoUserException}
 * (exit code {@link FspoUserException#CONFIG}) of one line that names the file (or the --set), the key path and the
 * fix. Enum values match case-insensitively ({@code fewer_shots} = {@code FEWER_SHOTS}). Also refused: a fraction
 * for an integer key (never truncated), a key given twice in one mapping, a syntax error (with line and column,
 * {@link ConfigSyntax}), a null where the default is a value ({@link ConfigNulls}); a record's own refusal
 * ({@link ConfigValueException}) is reported with the key's whole path. Relative {@link ConfigPath} values in the file
 * resolve against the file's folder ({@link ConfigPaths}).
 */
public final class ConfigLoader {
  private static final ObjectMapper YAML = configure(YAMLMapper.builder(
      YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build()).build());
  private static final ObjectMapper JSON = configure(JsonMapper.builder().build());

  private final String origin;
  /** The config file's folder, against which its relative {@link ConfigPath} values resolve; null: none. */
  private final Path baseDir;
  private final ObjectNode fileTree;
  private final List<Override> overrides;
  private final Set<String> sections;

  private record Override(String text, String section, List<String> path, JsonNode value) {}

  private ConfigLoader(String origin, Path baseDir, ObjectNode fileTree, List<Override> overrides,
      Set<String> sections) {
    this.origin = origin;
    this.baseDir = baseDir;
    this.fileTree = fileTree;
    this.overrides = overrides;
    this.sections = sections;
  }

  /**
   * @param file            the config file, or null for defaults plus overrides only
   * @param sets            "section.key=value" overrides, applied in order
   * @param allowedSections the top-level section names this program understands
   */
  public static ConfigLoader load(Path file, List<String> sets, Collection<String> allowedSections) {
    Set<String> allowed = Set.copyOf(allowedSections);
    String origin = file == null ? "(no config file)" : file.toString();
    ObjectNode tree = file == null ? JsonNodeFactory.instance.objectNode() : readFile(file);
    for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new FspoUserException(origin + ": unknown section '" + name + "'; the sections are "
            + new TreeSet<>(allowed) + ", fix the name or remove it", FspoUserException.CONFIG);
      }
    }
    List<Override> parsed = new ArrayList<>();
    for (String set : sets == null ? List.<String>of() : sets) {
      parsed.add(parseOverride(set, allowed));
    }
    return new ConfigLoader(origin, file == null ? null : file.getParent(), tree, List.copyOf(parsed), allowed);
  }

  /** The section read into {@code type}, starting from {@code type}'s static {@code defaults()} if it has one. */
  public <T> T section(String name, Class<T> type) {
    return section(name, type, defaultsOf(type));
  }

  /** The section read into {@code type}, starting from {@code defaults} (null: no defaults). */
  public <T> T section(String name, Class<T> type, T defaults) {
    if (!sections.contains(name)) {
      throw new IllegalArgumentException("section '" + name + "' is not among the allowed sections " + sections);
    }
    ObjectNode merged = defaults == null ? JsonNodeFactory.instance.objectNode() : YAML.valueToTree(defaults);
    JsonNode fromFile = fileTree.get(name);
    if (fromFile != null && !fromFile.isNull()) {
      if (!fromFile.isObject()) {
        throw new FspoUserException(origin + ": section '" + name + "' must be a mapping of keys to values",
            FspoUserException.CONFIG);
      }
      deepMerge(merged, ConfigPaths.resolved(type, (ObjectNode) fromFile, baseDir));
    }
    for (Override set : overrides) {
      if (set.section.equals(name)) {
        apply(merged, set);
      }
    }
    if (defaults != null) {
      ConfigNulls.refuse(name, merged, YAML.valueToTree(defaults), this::whereSet);
    }
    try {
      return YAML.treeToValue(merged, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw ConfigErrors.explain(name, e, this::whereSet);
    }
  }

  /** The effective config as YAML text, snake_case keys, for printing at start and writing next to outputs. */
  public static String toYaml(Object config) {
    try {
      return YAML.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write config " + config, e);
    }
  }

  /** The config (or any record) as a snake_case JSON tree, e.g. for manifest.json. */
  public static JsonNode toTree(Object config) {
    return JSON.valueToTree(config);
  }

  /** The snake_case, strict JSON mapper used for config, shared so that every file the project writes agrees. */
  public static ObjectMapper json() {
    return JSON;
  }

  /** The snake_case, strict YAML mapper. */
  public static ObjectMapper yaml() {
    return YAML;
  }

  private static ObjectMapper configure(ObjectMapper mapper) {
    return mapper.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        // 2.5 for an integer key is refused, not truncated to 2
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        // a key given twice in one mapping is refused: which one wins is an accident of the reader
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .configure(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS, true);
  }

  private static ObjectNode readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new FspoUserException("config file " + file + " not found; check the --config path",
          FspoUserException.NO_INPUT);
    }
    ObjectMapper mapper = file.getFileName().toString().endsWith(".json") ? JSON : YAML;
    JsonNode tree;
    try {
      tree = mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new FspoUserException(ConfigSyntax.describe(file, mapper == JSON ? "JSON" : "YAML", e),
          FspoUserException.CONFIG, e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!tree.isObject()) {
      throw new FspoUserException(file + ": the top level must be a mapping of sections (synth:, train:, ...)",
          FspoUserException.CONFIG);
    }
    return (ObjectNode) tree;
  }

  private static Override parseOverride(String set, Set<String> allowed) {
    int eq = set.indexOf('=');
    String key = eq < 0 ? "" : set.substring(0, eq).strip();
    List<String> path = List.of(key.split("\\.", -1));
    if (eq < 0 || path.size() < 2 || path.stream().anyMatch(String::isEmpty)) {
      throw new FspoUserException("--set " + set + ": expected section.key=value, e.g. --set train.fspo.lr=1e-4",
          FspoUserException.USAGE);
    }
    if (!allowed.contains(path.get(0))) {
      throw new FspoUserException("--set " + set + ": unknown section '" + path.get(0) + "'; the sections are "
          + new TreeSet<>(allowed), FspoUserException.CONFIG);
    }
    String text = set.substring(eq + 1);
    JsonNode value;
    try {
      value = text.isBlank() ? JsonNodeFactory.instance.textNode(text) : YAML.readTree(text);
    } catch (JsonProcessingException e) {
      value = JsonNodeFactory.instance.textNode(text);
    }
    if (value == null || value.isMissingNode()) {
      value = JsonNodeFactory.instance.textNode(text);
    }
    return new Override(set, path.get(0), path.subList(1, path.size()), value);
  }

  private static void apply(ObjectNode section, Override set) {
    ObjectNode node = section;
    for (String key : set.path.subList(0, set.path.size() - 1)) {
      JsonNode child = node.get(key);
      if (child == null || !child.isObject()) {
        child = node.putObject(key);
      }
      node = (ObjectNode) child;
    }
    node.set(set.path.get(set.path.size() - 1), set.value);
  }

  /** Merges {@code over} into {@code base}: objects key by key, recursively; anything else replaces. */
  static void deepMerge(ObjectNode base, ObjectNode over) {
    for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      JsonNode existing = base.get(entry.getKey());
      if (existing != null && existing.isObject() && entry.getValue().isObject()) {
        deepMerge((ObjectNode) existing, (ObjectNode) entry.getValue());
      } else {
        base.set(entry.getKey(), entry.getValue());
      }
    }
  }

  /** "--set train.fspo.lr=abc" when the bad key came from an override, else the file name. */
  private String whereSet(String path) {
    for (int i = overrides.size() - 1; i >= 0; i--) {
      Override set = overrides.get(i);
      String setPath = set.section + "." + String.join(".", set.path);
      if (path.equals(setPath) || path.startsWith(setPath + ".") || path.startsWith(setPath + "[")) {
        return "--set " + set.text;
      }
    }
    return origin;
  }

  @SuppressWarnings("unchecked")
  private static <T> T defaultsOf(Class<T> type) {
    try {
      Method defaults = type.getMethod("defaults");
      return (T) defaults.invoke(null);
    } catch (NoSuchMethodException e) {
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(type.getName() + ".defaults() failed", e);
    }
  }
}
