package org.fspo.train.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.fspo.core.FspoUserException;
import org.fspo.core.io.OutputFolder;

/**
 * The folder {@code fspo train --out RUN_DIR} writes:
 *
 * <pre>
 *   config.yaml      the effective config (train: section), defaults and --set applied
 *   tokenizer.json   the tokenizer every model of the run uses (built from the corpus, or copied from --init)
 *   metrics.jsonl    one JSON object per optimizer step: stage, step, epoch, loss, rewards/..., logps/...,
 *                    grad_norm, lr, tokens/s (TRL's names, see MetricNames)
 *   checkpoints/     resumable checkpoints (see Checkpoints), the newest keep_last
 *   init/            the model training started from (from scratch: the seeded initialisation; or --init's),
 *                    the same layout: the "base" that eval scores the stage-1 model against
 *   sft/             stage 1's final model: config.json, model.safetensors, tokenizer.json (the reference; F32)
 *   final/           stage 2's final model, the same layout: the trained policy, in train.save's dtype and shards,
 *                    with --init's config.json keys and generation/tokenizer files (Models.save)
 *   ref-cache/       the reference's log-probs per tokenized pair, reused by later runs
 *   fspo-output.json the marker {"kind": "train-run"}: what lets --resume (and only it) write here again
 * </pre>
 *
 * sft/ and final/ are Hugging Face folders: {@code AutoModelForCausalLM.from_pretrained("RUN_DIR/final")} and
 * {@code PreTrainedTokenizerFast(tokenizer_file="RUN_DIR/final/tokenizer.json")} load them.
 */
public record RunLayout(Path root) {
  /**
   * Checks that training may write here, then creates the folder and its marker ({@link OutputFolder}): without
   * resume the folder must be new or empty (a shared ref-cache/ may be there already); with resume it must be new,
   * empty, or a run fspo train wrote. Anything else is refused with one line (exit 73) and left untouched, so
   * {@code --resume} pointed at another folder cannot overwrite its config.yaml or metrics.jsonl.
   */
  public void claim(boolean resume) {
    check(resume);
    OutputFolder.mark(root, OutputFolder.TRAIN_RUN);
  }

  /** The refusals of {@link #claim}, writing nothing: callers check before their own checks, and claim after. */
  public void check(boolean resume) {
    boolean own = OutputFolder.isOwn(root, OutputFolder.TRAIN_RUN, RunLayout::isLegacyRun);
    if (!own && !holdsOnly(OutputFolder.MARKER, "ref-cache")) {
      throw OutputFolder.notOurs(root, OutputFolder.TRAIN_RUN, "--out");
    }
    if (own && !resume && !holdsOnly(OutputFolder.MARKER, "ref-cache")) {
      throw new FspoUserException(root + " already holds a training run; pass --resume to continue it or choose a"
          + " new --out folder", FspoUserException.CANT_CREATE);
    }
  }

  /** A run written before the marker existed: training always writes config.yaml and tokenizer.json first. */
  static boolean isLegacyRun(Path dir) {
    return Files.isRegularFile(dir.resolve("config.yaml")) && Files.isRegularFile(dir.resolve("tokenizer.json"));
  }

  private boolean holdsOnly(String... names) {
    if (!Files.isDirectory(root)) {
      return true;
    }
    java.util.Set<String> allowed = java.util.Set.of(names);
    try (Stream<Path> entries = Files.list(root)) {
      return entries.allMatch(p -> allowed.contains(p.getFileName().toString()));
    } catch (IOException e) {
      throw new FspoUserException(root + ": cannot read the run folder (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }

  public Path marker() {
    return root.resolve(OutputFolder.MARKER);
  }

  public Path config() {
    return root.resolve("config.yaml");
  }

  public Path tokenizer() {
    return root.resolve("tokenizer.json");
  }

  public Path metrics() {
    return root.resolve("metrics.jsonl");
  }

  public Path checkpoints() {
    return root.resolve("checkpoints");
  }

  public Path init() {
    return root.resolve("init");
  }

  public Path sft() {
    return root.resolve("sft");
  }

  public Path finalModel() {
    return root.resolve("final");
  }

  public Path refCache() {
    return root.resolve("ref-cache");
  }

  /** Without resume, a run folder must be new or empty (a shared ref-cache/ may be there already). */
  public static void refuseExisting(Path root, boolean resume) {
    if (resume || !Files.isDirectory(root)) return;
    try (var s = Files.list(root)) {
      if (s.anyMatch(p -> !p.getFileName().toString().equals("ref-cache")
          && !p.getFileName().toString().equals(OutputFolder.MARKER))) {
        throw new FspoUserException(root + " already holds files; pass --resume to continue that run or choose "
            + "a new --out folder", FspoUserException.CANT_CREATE);
      }
    } catch (IOException e) {
      throw new FspoUserException(root + ": cannot read the run folder (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }
}
