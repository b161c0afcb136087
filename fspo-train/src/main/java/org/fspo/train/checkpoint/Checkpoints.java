package org.fspo.train.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.ModelWeights;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.io.SaveFormat;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Models;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.lora.LoraAdapter;
import org.fspo.train.model.lora.LoraAdapters;
import org.fspo.train.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Resumable checkpoints in RUN_DIR/checkpoints, one folder each, named {@code <order>-<stage>-step-<6 digits>}
 * (e.g. {@code 2-fspo-step-000150}) so that name order is time order:
 *
 * <pre>
 *   config.json, model.safetensors   the policy, in Hugging Face's layout (loadable by transformers), in F32,
 *                                    with --init's generation and tokenizer files (Models.save); with LoRA instead
 *                                    adapter_config.json, adapter_model.safetensors (PEFT), the adapter only
 *   optimizer.safetensors            the optimizer buffers, keyed {@code <buffer>.<parameter name>}
 *   trainer_state.json               {@link TrainerState}: stage, step, data position, random stream
 *   config.yaml                      the run's effective config
 * </pre>
 *
 * A checkpoint is written into a {@code .tmp-} folder and renamed into place, so a folder with a final name is
 * always complete; older ones are deleted only after that, keeping the newest {@code keepLast}. A checkpoint damaged
 * afterwards (a truncated file, a bad disk) is passed over on resume for the next older one
 * ({@link #newestReadable}), and renamed {@code corrupt-<name>} so that pruning never counts it as a kept one.
 */
public final class Checkpoints {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  public static final String STATE = "trainer_state.json", OPTIMIZER = "optimizer.safetensors",
      MODEL = "model.safetensors";
  /** An unreadable checkpoint passed over on resume is renamed with this prefix: kept, but no longer listed. */
  public static final String CORRUPT_PREFIX = "corrupt-";

  private final Path dir;

  public Checkpoints(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public static String name(TrainerState s) {
    return String.format("%d-%s-step-%06d", s.stageOrder(), s.stage(), s.step());
  }

  /** Writes a checkpoint atomically and prunes to the newest keepLast; returns its folder. */
  public Path write(CausalLm model, Optimizer optimizer, TrainerState state, String configYaml, int keepLast) {
    Path target = dir.resolve(name(state));
    Path tmp = dir.resolve(".tmp-" + name(state));
    try {
      Files.createDirectories(dir);
      deleteTree(tmp);
      saveTrainable(model, tmp);
      SafeTensors.write(tmp.resolve(OPTIMIZER), optimizer.state());
      JSON.writeValue(tmp.resolve(STATE).toFile(), state);
      Files.writeString(tmp.resolve("config.yaml"), configYaml);
      deleteTree(target);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      List<Path> all = list();
      for (int i = 0; i < all.size() - keepLast; i++) deleteTree(all.get(i));
      return target;
    } catch (IOException e) {
      throw new FspoUserException(target + ": cannot write the checkpoint (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }

  /**
   * The model's trainable part: with a LoRA adapter attached only the adapter, as a PEFT folder (the frozen base is
   * sft/ or init/ already; the Trainer restores it from there), otherwise the whole model.
   */
  private static void saveTrainable(CausalLm model, Path dir) {
    if (model instanceof TransformerLm t && t.adapter() instanceof LoraAdapter) LoraAdapters.save(t, dir, null);
    else Models.save(model, dir, SaveFormat.exact()); // F32 whatever the input's dtypes: resume is exact
  }

  /** Complete checkpoints, oldest first. */
  public List<Path> list() {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().matches("\\d-\\w+-step-\\d+"))
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path latest() {
    List<Path> all = list();
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  public static TrainerState readState(Path checkpoint) {
    try {
      return JSON.readValue(checkpoint.resolve(STATE).toFile(), TrainerState.class);
    } catch (IOException e) {
      throw new FspoUserException(checkpoint.resolve(STATE) + ": unreadable (" + firstLine(e.getMessage()) + ")");
    }
  }

  /**
   * The newest checkpoint (of {@code onlyStage}, when not null) that reads completely. Each newer unreadable one is
   * renamed {@code corrupt-<name>} (kept for inspection; a later write of the same step, or pruning, would otherwise
   * replace a good checkpoint with it or count it as kept) and {@code warn} gets a line naming it and what is wrong.
   *
   * @param restartable when every candidate is unreadable: true to warn and return null (the caller restarts the
   *                    stage from a saved model), false to fail with one line
   * @return null when there is no candidate at all
   */
  public LoadedCheckpoint newestReadable(String onlyStage, boolean restartable, Consumer<String> warn) {
    List<Path> candidates = new ArrayList<>(list());
    Collections.reverse(candidates);
    if (onlyStage != null) candidates.removeIf(p -> !p.getFileName().toString().contains("-" + onlyStage + "-"));
    List<String> bad = new ArrayList<>();
    for (Path p : candidates) {
      try {
        LoadedCheckpoint ok = LoadedCheckpoint.read(p);
        setAside(candidates.subList(0, bad.size()), bad, "resuming from " + p.getFileName(), warn);
        return ok;
      } catch (RuntimeException e) { // whatever stops a read makes the checkpoint unusable; the warning says what
        bad.add(e instanceof FspoUserException ? firstLine(e.getMessage())
            : e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
      }
    }
    if (bad.isEmpty()) return null;
    if (restartable) {
      setAside(candidates, bad, "no readable " + (onlyStage == null ? "" : onlyStage + " ") + "checkpoint is left, so "
          + "the stage restarts from its beginning", warn);
      return null;
    }
    throw new FspoUserException(dir + ": no readable checkpoint to resume from: " + bad.get(0)
        + (bad.size() > 1 ? " (and " + (bad.size() - 1) + " older " + (bad.size() == 2 ? "one" : "ones")
            + " unreadable too)" : "")
        + "; move the checkpoints folder away to start the run over, or train into a new --out folder");
  }

  private void setAside(List<Path> dirs, List<String> why, String then, Consumer<String> warn) {
    for (int i = 0; i < dirs.size(); i++) {
      Path from = dirs.get(i), to = dir.resolve(CORRUPT_PREFIX + from.getFileName());
      for (int n = 2; Files.exists(to); n++) to = dir.resolve(CORRUPT_PREFIX + from.getFileName() + "-" + n);
      try {
        Files.move(from, to);
      } catch (IOException e) {
        throw new FspoUserException(from + ": unreadable (" + why.get(i) + ") and cannot be renamed ("
            + e.getMessage() + "); move it away by hand and resume again", FspoUserException.CANT_CREATE);
      }
      warn.accept("checkpoint " + from + " is unreadable: " + why.get(i) + "; renamed it " + to.getFileName()
          + " and " + then);
    }
  }

  static String firstLine(String message) {
    String m = String.valueOf(message);
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).strip();
  }

  /** Copies the weights of {@code dir} (one file or shards) into the model's parameters, checking names and shapes. */
  public static void loadWeights(Path dir, CausalLm model) {
    assignWeights(dir, readWeights(dir), model);
  }

  /** The saved weights of {@code dir}, one model.safetensors or an index and its shards, by name. */
  static LinkedHashMap<String, INDArray> readWeights(Path dir) {
    LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
    ModelWeights.open(dir).readAll().forEach((name, tensor) -> out.put(name, tensor.array()));
    return out;
  }

  /** Copies saved tensors into the model's parameters in place, checking names and shapes. */
  static void assignWeights(Path dir, Map<String, INDArray> saved, CausalLm model) {
    for (Map.Entry<String, INDArray> p : model.parameters().entrySet()) {
      INDArray s = saved.get(p.getKey());
      if (s == null) s = saved.get(p.getKey().replaceFirst("^transformer\\.", ""));
      if (s == null || !java.util.Arrays.equals(s.shape(), p.getValue().shape())) {
        throw new FspoUserException(dir + ": tensor " + p.getKey() + " is missing or has another shape; "
            + "this checkpoint belongs to a different model config");
      }
      p.getValue().assign(s);
    }
  }

  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
    }
  }
}
