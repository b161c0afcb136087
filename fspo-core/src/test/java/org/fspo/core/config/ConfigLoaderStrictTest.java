package org.fspo.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the loader refuses instead of guessing (issue 14 §5): a fraction for an integer, a key given twice, a null
 * where the default is a value, and broken syntax, each as one line naming the file or --set, the key and the fix;
 * record validation messages carry the whole key path; relative paths in a file resolve against its folder.
 */
class ConfigLoaderStrictTest {
  private static final List<String> SECTIONS = List.of("train", "synth");

  /** A record used twice in one section, as train.sft and train.fspo are: it cannot know its own path. */
  public record Stage(int steps, double lr, String loss) {
    public Stage {
      if (lr < 0) {
        throw new ConfigValueException("lr", "non-negative", lr);
      }
    }
  }

  public record Train(Stage sft, Stage fspo, String name) {
    public static Train defaults() {
      return new Train(new Stage(0, 3e-4, "ipo"), new Stage(0, 1e-4, "ipo"), "run");
    }
  }

  public record Pipeline(@ConfigPath String templates, String label) {}

  public record Synth(@ConfigPath String cacheDir, @ConfigPath String apiKeyFile, String domain, Pipeline pipeline) {
    public static Synth defaults() {
      return new Synth("cache", null, "reviews", new Pipeline("conf/templates/reviews", "x/y"));
    }
  }

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private FspoUserException refused(Path file, List<String> sets, Class<?> type) {
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> ConfigLoader.load(file, sets, SECTIONS).section(type == Train.class ? "train" : "synth", type));
    assertEquals(FspoUserException.CONFIG, e.exitCode(), e.getMessage());
    assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
    return e;
  }

  @Test
  void aFractionForAnIntegerIsRefusedNotTruncated() throws IOException {
    Path file = write("c.yaml", "train:\n  sft:\n    steps: 2.5\n");
    assertEquals(file + ": 'train.sft.steps' must be an integer, got '2.5'; fix the value",
        refused(file, List.of(), Train.class).getMessage());
    assertEquals("--set train.fspo.steps=7.0: 'train.fspo.steps' must be an integer, got '7.0'; fix the value",
        refused(null, List.of("train.fspo.steps=7.0"), Train.class).getMessage());
    assertEquals(7, ConfigLoader.load(null, List.of("train.fspo.steps=7"), SECTIONS).section("train", Train.class)
        .fspo().steps());
  }

  @Test
  void aKeyGivenTwiceIsRefusedWithItsLine() throws IOException {
    Path file = write("c.yaml", "train:\n  name: a\n  sft:\n    lr: 0.1\n    lr: 0.2\n");
    String message = refused(file, List.of(), Train.class).getMessage();
    assertTrue(message.startsWith(file + " line 5, column "), message);
    assertTrue(message.endsWith(": key 'lr' is given twice in the same mapping; keep one"), message);
  }

  @Test
  void syntaxErrorsGiveTheLineAndColumn() throws IOException {
    Path tab = write("tab.yaml", "train:\n  name: a\n\tsft: {}\n");
    String message = refused(tab, List.of(), Train.class).getMessage();
    assertTrue(message.startsWith(tab + " line 3, column 1: not valid YAML ("), message);
    assertTrue(message.endsWith("); fix the syntax"), message);
    Path unclosed = write("unclosed.yaml", "train:\n  name: [a, b\n  sft: {}\n");
    assertTrue(refused(unclosed, List.of(), Train.class).getMessage().matches(
        ".*unclosed\\.yaml line [23], column \\d+: not valid YAML \\(.+\\); fix the syntax"));
    Path json = write("c.json", "{\"train\": {\"name\": \"a\",}}");
    assertTrue(refused(json, List.of(), Train.class).getMessage().startsWith(json + " line 1, column "));
  }

  @Test
  void aNullWhereTheDefaultIsAValueNamesTheKey() throws IOException {
    assertEquals("--set train.fspo.loss=null: train.fspo.loss is null; give a value (default: ipo) or remove the"
        + " key to keep the default", refused(null, List.of("train.fspo.loss=null"), Train.class).getMessage());
    Path file = write("c.yaml", "train:\n  name: ~\n");
    assertEquals(file + ": train.name is null; give a value (default: run) or remove the key to keep the default",
        refused(file, List.of(), Train.class).getMessage());
    Path optional = write("o.yaml", "synth:\n  api_key_file: null\n");
    assertEquals(null, ConfigLoader.load(optional, List.of(), SECTIONS).section("synth", Synth.class).apiKeyFile(),
        "a key whose default is null may be null");
  }

  @Test
  void aRecordsRefusalNamesTheWholeKey() throws IOException {
    assertEquals("--set train.sft.lr=-1: train.sft.lr must be non-negative, got -1.0; fix the value",
        refused(null, List.of("train.sft.lr=-1"), Train.class).getMessage());
    Path file = write("c.yaml", "train:\n  fspo:\n    lr: -0.5\n");
    assertEquals(file + ": train.fspo.lr must be non-negative, got -0.5; fix the value",
        refused(file, List.of(), Train.class).getMessage());
  }

  @Test
  void relativePathsInAFileResolveAgainstItsFolder() throws IOException {
    Path file = write("conf/c.yaml", String.join("\n", "synth:", "  cache_dir: cache/here", "  api_key_file: /abs/key",
        "  domain: a/b", "  pipeline:", "    templates: templates/reviews", "    label: c/d", ""));
    Synth synth = ConfigLoader.load(file, List.of(), SECTIONS).section("synth", Synth.class);
    assertEquals(dir.resolve("conf/cache/here").toString(), synth.cacheDir());
    assertEquals("/abs/key", synth.apiKeyFile());
    assertEquals("a/b", synth.domain(), "not a path: not resolved");
    assertEquals(dir.resolve("conf/templates/reviews").toString(), synth.pipeline().templates());
    assertEquals("c/d", synth.pipeline().label());

    Synth set = ConfigLoader.load(file, List.of("synth.pipeline.templates=mine", "synth.cache_dir=s3a://b/c"),
        SECTIONS).section("synth", Synth.class);
    assertEquals("mine", set.pipeline().templates(), "a --set path is relative to the working directory");
    assertEquals("s3a://b/c", set.cacheDir());
    assertEquals("conf/templates/reviews",
        ConfigLoader.load(null, List.of(), SECTIONS).section("synth", Synth.class).pipeline().templates(),
        "defaults are not resolved");
  }
}
