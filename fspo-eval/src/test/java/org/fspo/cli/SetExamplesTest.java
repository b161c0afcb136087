package org.fspo.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.fspo.core.FspoUserException;
import org.fspo.core.config.ConfigLoader;
import org.fspo.eval.judge.JudgeConfig;
import org.fspo.eval.pipeline.PipelineConfig;
import org.fspo.eval.scoring.EvalConfig;
import org.fspo.synth.job.SynthConfig;
import org.fspo.train.loop.TrainConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code --set section.key=value} example the project shows a user (each command's --help, the loader's
 * malformed-override message, conf/*.yaml comments, README.md and docs/*.md) is accepted by the loader for the
 * record type its section is read into: an example that is itself "unknown key" teaches the wrong thing.
 * Placeholders ({@code section.key=value}) and quoted error messages ({@code --set x.y=z: ...}) are not examples.
 */
class SetExamplesTest {
  private static final Pattern EXAMPLE = Pattern.compile("--set ([a-z_]+(?:\\.[a-z_0-9]+)+)=([^\\s)`,;'\"\\]}]+)");
  /** The record type each section is read into (as the commands do). */
  static final Map<String, Class<?>> SECTION_TYPES = Map.of("synth", SynthConfig.class,
      "train", TrainConfig.class, "eval", EvalConfig.class, "judge", JudgeConfig.class,
      "pipeline", PipelineConfig.class);
  private static final Path ROOT = Path.of("..");

  @Test
  void theSectionTableCoversEverySection() {
    assertEquals(new TreeSet<>(ConfigMixin.SECTIONS), new TreeSet<>(SECTION_TYPES.keySet()));
  }

  @Test
  void everyPrintedOrDocumentedSetExampleLoads() throws IOException {
    List<String> texts = new ArrayList<>();
    collectUsage(Fspo.commandLine(), texts);
    texts.add(assertThrows(FspoUserException.class,
        () -> ConfigLoader.load(null, List.of("oops"), ConfigMixin.SECTIONS)).getMessage());
    texts.add(Files.readString(ROOT.resolve("README.md")));
    for (String folder : List.of("docs", "conf")) {
      try (Stream<Path> files = Files.list(ROOT.resolve(folder))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".md") || f.toString().endsWith(".yaml")).toList()) {
          texts.add(Files.readString(file));
        }
      }
    }
    List<String> examples = new ArrayList<>();
    for (String text : texts) {
      Matcher m = EXAMPLE.matcher(text);
      while (m.find()) {
        // "--set x.y=z: message" quotes a refused value (docs show error messages): not an example to copy
        String value = m.group(2).replaceAll("\\.+$", ""); // a sentence's full stop is not part of the value
        if (!value.equalsIgnoreCase("value") && !m.group(2).endsWith(":")) {
          examples.add(m.group(1) + "=" + value);
        }
      }
    }
    assertTrue(examples.contains("train.fspo.lr=1e-4"), "the --help example: " + examples);
    for (String example : examples) {
      String section = example.substring(0, example.indexOf('.'));
      Class<?> type = SECTION_TYPES.get(section);
      assertTrue(type != null, "--set " + example + ": no such section");
      assertDoesNotThrow(() -> ConfigLoader.load(null, List.of(example), ConfigMixin.SECTIONS).section(section, type),
          "--set " + example);
    }
  }

  private static void collectUsage(CommandLine command, List<String> texts) {
    texts.add(command.getUsageMessage(CommandLine.Help.Ansi.OFF));
    for (CommandLine sub : command.getSubcommands().values()) {
      if (sub != command) {
        collectUsage(sub, texts);
      }
    }
  }
}
