package org.fspo.train.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.ModelWeights;
import org.fspo.train.io.SafeTensors;
import org.fspo.train.io.SaveFormat;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Models;
import org.fspo.train.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Resumable checkpoints in RUN_DIR/checkpoints, one folder each, named {@code <order>-<stage>-step-<6 digits>}
 * (e.g. {@code 2-fspo-step-000150}) so that name order is time order:
 *
 * <pre>
 *   config.json, model.safetensors   the policy, in Hugging Face's layout (loadable by transformers), in F32,
 *                                    with --init's generation and tokenizer files (Models.save)
 *   optimizer.safetensors            the optimizer buffers, keyed {@code <buffer>.<parameter name>}
 *   trainer_state.json               {@link TrainerState}: stage, step, data position, random stream
 *   config.yaml                      the run's effective config
 * </pre>
 *
 * A checkpoint is written into a {@code .tmp-} folder and renamed into place, so a folder with a final name is
 * always complete; older ones are deleted only after that, keeping the newest {@code keepLast}.
 */
public final class Checkpoints {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  public static final String STATE = "trainer_state.json", OPTIMIZER = "optimizer.safetensors";

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
      Models.save(model, tmp, SaveFormat.exact()); // F32 whatever the input's dtypes: resume is exact
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
      throw new FspoUserException(checkpoint + ": unreadable " + STATE + " (" + e.getMessage() + ")");
    }
  }

  /** Loads the checkpoint's weights into the model's parameters in place, and its buffers into the optimizer. */
  public static void restore(Path checkpoint, CausalLm model, Optimizer optimizer, TrainerState state) {
    loadWeights(checkpoint, model);
    optimizer.load(SafeTensors.readArrays(checkpoint.resolve(OPTIMIZER)), state.optimizerSteps());
  }

  /** Copies the weights of {@code dir} (one file or shards) into the model's parameters, checking names and shapes. */
  public static void loadWeights(Path dir, CausalLm model) {
    ModelWeights saved = ModelWeights.open(dir);
    for (Map.Entry<String, INDArray> p : model.parameters().entrySet()) {
      String name = saved.entry(p.getKey()) != null ? p.getKey() : p.getKey().replaceFirst("^transformer\\.", "");
      INDArray s = saved.entry(name) == null ? null : saved.read(name).array();
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
