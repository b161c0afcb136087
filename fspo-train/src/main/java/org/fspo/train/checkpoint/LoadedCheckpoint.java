package org.fspo.train.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.ModelWeights;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.lora.PeftFiles;
import org.fspo.train.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A checkpoint read completely into memory before anything is restored from it, so an unreadable one is found while
 * the model and optimizer are still untouched and an older checkpoint can be tried instead
 * ({@link Checkpoints#newestReadable}).
 *
 * @param dir       the checkpoint folder
 * @param state     its trainer_state.json
 * @param weights   model.safetensors, by HF tensor name (LoRA: adapter_model.safetensors, by PEFT name)
 * @param optimizer optimizer.safetensors, keyed {@code <buffer>.<parameter name>}
 */
public record LoadedCheckpoint(Path dir, TrainerState state, LinkedHashMap<String, INDArray> weights,
    LinkedHashMap<String, INDArray> optimizer) {

  /** Reads every file of a checkpoint; one line naming the file and what is wrong with it otherwise. */
  public static LoadedCheckpoint read(Path dir) {
    TrainerState state = Checkpoints.readState(dir);
    if (!TrainerState.SFT.equals(state.stage()) && !TrainerState.FSPO.equals(state.stage())) {
      throw new FspoUserException(dir.resolve(Checkpoints.STATE) + ": stage must be sft or fspo, got "
          + state.stage());
    }
    if (!Checkpoints.name(state).equals(dir.getFileName().toString())) {
      throw new FspoUserException(dir.resolve(Checkpoints.STATE) + ": says " + state.stage() + " step "
          + state.step() + ", which is not this folder's");
    }
    Path model = dir.resolve(Checkpoints.MODEL), optimizer = dir.resolve(Checkpoints.OPTIMIZER);
    // a LoRA run's checkpoint holds the adapter (PEFT names, which are its parameters' names) instead of the model
    boolean adapter = !ModelWeights.present(dir) && Files.exists(dir.resolve(PeftFiles.CONFIG));
    if (adapter) model = dir.resolve(PeftFiles.WEIGHTS);
    if (Files.isRegularFile(model)) Completeness.requireWhole(model); // shards: the reader checks each file's size
    Completeness.requireWhole(optimizer);
    return new LoadedCheckpoint(dir, state, adapter ? SafeTensors.readArrays(model) : Checkpoints.readWeights(dir),
        SafeTensors.readArrays(optimizer));
  }

  /**
   * Replaces the model's weights and the optimizer's buffers and step count with the checkpoint's. Once: the weights
   * read are copied into the model's and then freed (the optimizer keeps the buffers read as its own).
   */
  public void restore(CausalLm model, Optimizer opt) {
    Checkpoints.assignWeights(dir, weights, model);
    weights.values().forEach(INDArray::close);
    weights.clear();
    opt.load(optimizer, state.optimizerSteps());
  }
}
