package org.fspo.train.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;
import org.fspo.core.FspoUserException;
import org.fspo.train.checkpoint.Checkpoints;
import org.fspo.train.io.SaveFormat;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Models;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.lora.LoraAdapters;
import org.fspo.train.tokenizer.TextTokenizer;

/** How the trainer writes init/, sft/ and final/: whole folders, atomically (written aside, then moved in). */
final class ModelFolders {
  private ModelFolders() {}

  /** A Hugging Face folder (weights, config.json, tokenizer files); see {@link Models#save}. */
  static void save(CausalLm model, Path dir, SaveFormat format, TextTokenizer tokenizer) {
    write(dir, tokenizer, tmp -> Models.save(model, tmp, format));
  }

  /** LoRA: a PEFT adapter folder (plus tokenizer.json) naming base as base_model_name_or_path. */
  static void saveAdapter(TransformerLm model, Path dir, Path base, TextTokenizer tokenizer) {
    write(dir, tokenizer, tmp -> LoraAdapters.save(model, tmp, base.toAbsolutePath().normalize().toString()));
  }

  private static void write(Path dir, TextTokenizer tokenizer, Consumer<Path> write) {
    Path tmp = dir.resolveSibling(".tmp-" + dir.getFileName());
    try {
      Checkpoints.deleteTree(tmp);
      write.accept(tmp);
      tokenizer.save(tmp.resolve("tokenizer.json"));
      Checkpoints.deleteTree(dir);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new FspoUserException(dir + ": cannot write the model (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }
}
