package org.fspo.train.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.fspo.core.FspoUserException;
import org.fspo.core.io.OutputFolder;
import org.fspo.train.io.ModelWeights;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.lora.LoraAdapters;

/**
 * {@code fspo export}: a finished run's policy as folders other tools load.
 *
 * <pre>
 *   --merge      OUT/                config.json, model.safetensors, tokenizer.json: the policy as one full model
 *                                    (LoRA: sft/ with final/'s adapter merged in, W + s B A; full runs: final/)
 *   (LoRA only)  OUT/base/           sft/ as it is: the reference, which is the adapter's base
 *                OUT/adapter/        adapter_config.json (base_model_name_or_path = OUT/base), adapter_model.safetensors
 *                                    with PEFT's names, tokenizer.json: PeftModel.from_pretrained(base, OUT/adapter)
 * </pre>
 *
 * OUT must be new or empty: nothing is ever overwritten.
 */
public final class RunExport {
  public static final String BASE = "base", ADAPTER = "adapter";

  private RunExport() {}

  /** Writes the export of runDir into out; see the class comment for the layouts. */
  public static void export(Path runDir, boolean merge, Path out) {
    RunLayout run = new RunLayout(runDir);
    if (!LoraStages.finished(run) || !ModelWeights.present(run.sft())) {
      throw new FspoUserException(runDir + " is not a finished run (no final/ or sft/ model); train it with fspo "
          + "train --out " + runDir + " first", FspoUserException.NO_INPUT);
    }
    boolean lora = LoraStages.isAdapter(run.finalModel());
    if (!lora && !merge) {
      throw new FspoUserException(runDir + " is a full fine-tuning run: final/ is already a full model and there is "
          + "no adapter to export; use --merge", FspoUserException.USAGE);
    }
    requireNewOrEmpty(out);
    try {
      Files.createDirectories(out);
      if (!lora) {
        copy(run.finalModel(), out);
      } else if (merge) {
        LoraAdapters.merge(LoraStages.loadPolicy(run)).save(out);
      } else {
        Path base = out.resolve(BASE), adapter = out.resolve(ADAPTER);
        copy(run.sft(), base);
        Files.copy(run.tokenizer(), base.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        TransformerLm policy = LoraStages.loadPolicy(run);
        LoraAdapters.save(policy, adapter, base.toAbsolutePath().normalize().toString());
        out = adapter;
      }
      Files.copy(run.tokenizer(), out.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new FspoUserException(out + ": cannot write the export (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }

  /** The output-folder rule of every command: a new or empty folder, never one with files in it. */
  static void requireNewOrEmpty(Path out) {
    if (!OutputFolder.isFresh(out)) { // a file, or an unreadable folder, is one line from isFresh itself
      throw new FspoUserException(out + " already holds files; choose a new or empty --out folder",
          FspoUserException.CANT_CREATE);
    }
  }


  /** Copies a model folder's files (config.json, the weights or shards and index, tokenizer and generation files). */
  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }
}
