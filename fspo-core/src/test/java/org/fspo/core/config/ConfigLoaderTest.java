package org.fspo.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fspo.core.FspoUserException;
import org.fspo.core.episode.ShortUserPolicy;
import org.fspo.core.episode.ShotSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final List<String> SECTIONS = List.of("train", "eval");

  public record Optimizer(String name, double beta1, double beta2) {}

  public record TrainSection(
      int steps, double learningRate, Optimizer optimizer, ShotSpec shots, ShortUserPolicy shortUsers,
      List<Integer> evalShots) {
    public static TrainSection defaults() {
      return new TrainSection(100, 1e-3, new Optimizer("adamw", 0.9, 0.999), ShotSpec.fixed(4),
          ShortUserPolicy.FEWER_SHOTS, List.of(0, 1, 2));
    }
  }

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void defaultsWithoutFile() {
    TrainSection train = ConfigLoader.load(null, List.of(), SECTIONS).section("train", TrainSection.class);
    assertEquals(TrainSection.defaults(), train);
  }

  @Test
  void fileDeepMergesOverDefaultsAndSetOverridesFile() throws IOException {
    Path file = write("c.yaml", """
        train:
          steps: 7
          optimizer:
            beta2: 0.95
          shots: "2-8"
          short_users: skip
        """);
    TrainSection train = ConfigLoader.load(file, List.of("train.steps=9", "train.optimizer.name=rmsprop",
        "train.eval_shots=[0, 4]", "train.learning_rate=1e-4"), SECTIONS).section("train", TrainSection.class);
    assertEquals(9, train.steps());
    assertEquals(1e-4, train.learningRate());
    assertEquals(new Optimizer("rmsprop", 0.9, 0.95), train.optimizer());
    assertEquals(ShotSpec.range(2, 8), train.shots());
    assertEquals(ShortUserPolicy.SKIP, train.shortUsers());
    assertEquals(List.of(0, 4), train.evalShots());
  }

  @Test
  void jsonFileAndIntegerShots() throws IOException {
    Path file = write("c.json", "{\"train\": {\"shots\": 3, \"steps\": 5}}");
    TrainSection train = ConfigLoader.load(file, List.of(), SECTIONS).section("train", TrainSection.class);
    assertEquals(ShotSpec.fixed(3), train.shots());
    assertEquals(5, train.steps());
  }

  @Test
  void unknownKeyNamesFileKeyAndFix() throws IOException {
    Path file = write("c.yaml", "train:\n  optimizer:\n    betta1: 0.5\n");
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> ConfigLoader.load(file, List.of(), SECTIONS).section("train", TrainSection.class));
    assertEquals(file + ": unknown key 'train.optimizer.betta1'; the keys of train.optimizer are"
        + " [beta1, beta2, name], fix the spelling or remove it", e.getMessage());
    assertEquals(FspoUserException.CONFIG, e.exitCode());
  }

  @Test
  void unknownKeyFromSetNamesTheSet() {
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> ConfigLoader.load(null, List.of("train.stepz=3"), SECTIONS).section("train", TrainSection.class));
    assertTrue(e.getMessage().startsWith("--set train.stepz=3: unknown key 'train.stepz'"), e.getMessage());
  }

  @Test
  void wrongTypeIsOneLine() throws IOException {
    Path file = write("c.yaml", "train:\n  steps: many\n");
    FspoUserException e = assertThrows(FspoUserException.class,
        () -> ConfigLoader.load(file, List.of(), SECTIONS).section("train", TrainSection.class));
    assertEquals(file + ": 'train.steps' must be an integer, got 'many'; fix the value", e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void wrongEnumListsTheChoices() {
    FspoUserException e = assertThrows(FspoUserException.class, () -> ConfigLoader.load(null,
        List.of("train.short_users=sometimes"), SECTIONS).section("train", TrainSection.class));
    assertTrue(e.getMessage().contains("'train.short_users' must be one of [fewer_shots, skip]"), e.getMessage());
  }

  @Test
  void unknownSectionInFileOrSet() throws IOException {
    Path file = write("c.yaml", "trian:\n  steps: 3\n");
    FspoUserException e = assertThrows(FspoUserException.class, () -> ConfigLoader.load(file, List.of(), SECTIONS));
    assertEquals(file + ": unknown section 'trian'; the sections are [eval, train], fix the name or remove it",
        e.getMessage());
    assertThrows(FspoUserException.class, () -> ConfigLoader.load(null, List.of("judge.x=1"), SECTIONS));
    assertThrows(FspoUserException.class, () -> ConfigLoader.load(null, List.of("train.steps"), SECTIONS));
  }

  @Test
  void missingFileAndBadSyntax() throws IOException {
    FspoUserException missing = assertThrows(FspoUserException.class,
        () -> ConfigLoader.load(dir.resolve("nope.yaml"), List.of(), SECTIONS));
    assertEquals(FspoUserException.NO_INPUT, missing.exitCode());
    Path bad = write("bad.yaml", "train: [unclosed\n");
    FspoUserException syntax = assertThrows(FspoUserException.class,
        () -> ConfigLoader.load(bad, List.of(), SECTIONS));
    assertFalse(syntax.getMessage().contains("\n"), syntax.getMessage());
  }

  @Test
  void toYamlRoundTrips() throws IOException {
    TrainSection original = new TrainSection(3, 0.5, new Optimizer("sgd", 0.1, 0.2), ShotSpec.range(1, 2),
        ShortUserPolicy.SKIP, List.of(8));
    String yaml = ConfigLoader.toYaml(original);
    assertTrue(yaml.contains("learning_rate: 0.5"), yaml);
    Path file = write("round.yaml", "train:\n" + yaml.indent(2));
    assertEquals(original, ConfigLoader.load(file, List.of(), SECTIONS).section("train", TrainSection.class));
  }
}
