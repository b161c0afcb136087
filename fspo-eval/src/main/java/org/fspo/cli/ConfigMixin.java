package org.fspo.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.fspo.core.config.ConfigLoader;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE} and repeatable {@code --set section.key=value}: defaults, then the file, then each --set
 * ({@link ConfigLoader}). Every command accepts the same whole-project file (e.g. conf/demo.yaml with synth:,
 * train:, eval: sections) and reads the sections it needs, so {@link #SECTIONS} lists every section of the project.
 */
public final class ConfigMixin {
  /** Every top-level config section the project knows. Add a new section's name here. */
  public static final List<String> SECTIONS = List.of("synth", "train", "eval", "judge", "pipeline");

  @Option(names = "--config", paramLabel = "FILE", description = "Config file (YAML, or JSON by extension).")
  Path config;

  @Option(names = "--set", paramLabel = "SECTION.KEY=VALUE",
      description = "Override one config value, e.g. --set train.fspo.lr=1e-4 (repeatable; applied after the file).")
  List<String> sets = new ArrayList<>();

  public ConfigLoader loader() {
    return loader(SECTIONS);
  }

  public ConfigLoader loader(Collection<String> sections) {
    return ConfigLoader.load(config, sets, sections);
  }

  /** The --config path, or null. */
  public Path file() {
    return config;
  }

  public List<String> sets() {
    return List.copyOf(sets);
  }
}
