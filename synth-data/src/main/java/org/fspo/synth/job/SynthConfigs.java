package org.fspo.synth.job;

import java.nio.file.Path;
import java.util.List;
import org.fspo.core.config.ConfigLoader;

/**
 * Reads the {@code synth:} section of a config file with the project's strict {@link ConfigLoader}: defaults, then
 * the file, then {@code --set synth.key=value}. Other top-level sections of a shared file (train, eval, ...) are
 * allowed and left to their commands.
 */
public final class SynthConfigs {
  /** Sections a shared config (e.g. conf/demo.yaml) may hold besides synth. */
  public static final List<String> SECTIONS =
      List.of("synth", "train", "eval", "judge", "model", "tokenizer", "episodes", "sampler", "pipeline", "import",
          "render", "report", "cron");

  private SynthConfigs() {}

  public static SynthConfig load(Path file, List<String> sets) {
    return ConfigLoader.load(file, sets, SECTIONS).section("synth", SynthConfig.class);
  }
}
