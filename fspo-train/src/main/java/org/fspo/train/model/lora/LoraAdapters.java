package org.fspo.train.model.lora;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.train.model.Adapter;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.lora.LoraTargets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LoRA on a loaded model, in four verbs:
 *
 * <pre>
 *   LoraAdapters.apply(model, adapterDir)    // a PEFT folder onto its base: model.parameters() = the adapter's
 *   LoraAdapters.init(model, config, seed)   // a fresh PEFT-initialised adapter (B = 0: equals the base)
 *   LoraAdapters.save(model, dir, baseName)  // adapter_config.json + adapter_model.safetensors
 *   LoraAdapters.merge(model)                // W += s B A (Conv1D: its transpose) in place; adapter detached
 * </pre>
 *
 * While attached, {@code model.backward} returns gradients of the adapter tensors only, under PEFT's file names
 * ({@code base_model.model.<module>.lora_A.weight}); the base weights get none and are never written.
 */
public final class LoraAdapters {
  private LoraAdapters() {}

  /** Reads the PEFT adapter in adapterDir, checks it against the model, attaches it; returns the same model. */
  public static TransformerLm apply(TransformerLm model, Path adapterDir) {
    model.setAdapter(read(adapterDir, model));
    return model;
  }

  /** A PEFT adapter folder checked against the model: every tensor named, shaped and targeted as the config says. */
  public static LoraAdapter read(Path dir, TransformerLm model) {
    LoraConfig config = PeftFiles.readConfig(dir);
    LinkedHashMap<String, Target> selected = select(model, config, dir.resolve(PeftFiles.CONFIG));
    LinkedHashMap<String, INDArray> tensors = PeftFiles.readWeights(dir);
    Path file = dir.resolve(PeftFiles.WEIGHTS);
    LinkedHashMap<String, Target> all = LoraTargets.of(model);
    for (String name : tensors.keySet()) {
      String module = LoraAdapter.moduleOf(name);
      if (module == null) {
        throw PeftFiles.error(file, "tensor " + name + " is not a LoRA weight (base_model.model.<module>.lora_A.weight"
            + " or .lora_B.weight); only plain LoRA adapters are supported");
      }
      if (!all.containsKey(module)) {
        throw PeftFiles.error(file, "tensor " + name + " adapts " + module + ", which is not a projection of this "
            + model.family() + " model (" + LoraTargets.names(model) + "); is this adapter for this base model?");
      }
      if (!selected.containsKey(module)) {
        throw PeftFiles.error(file, "tensor " + name + " adapts " + module + ", which target_modules "
            + config.targetModulesJson() + " does not select");
      }
    }
    LinkedHashMap<String, LoraLinear> layers = new LinkedHashMap<>();
    for (Target t : selected.values()) {
      INDArray a = tensor(file, tensors, LoraAdapter.nameA(t.module()), new long[] {config.r(), t.in()});
      INDArray b = tensor(file, tensors, LoraAdapter.nameB(t.module()), new long[] {t.out(), config.r()});
      layers.put(t.module(), new LoraLinear(a, b, config.scale()));
    }
    return new LoraAdapter(config, layers, selected);
  }

  /** Attaches a PEFT-initialised adapter (A Kaiming-uniform, B zero) on the projections config targets. */
  public static LoraAdapter init(TransformerLm model, LoraConfig config, long seed) {
    LoraAdapter a = LoraAdapter.init(config, select(model, config, null), seed);
    model.setAdapter(a);
    return a;
  }

  /**
   * Writes the model's adapter as a PEFT folder; base_model_name_or_path is baseNameOrPath (may be null).
   * fan_in_fan_out is written as the layers are (true for GPT-2's Conv1D), as PEFT would correct it to.
   */
  public static void save(TransformerLm model, Path dir, String baseNameOrPath) {
    LoraAdapter a = attached(model);
    boolean conv1d = a.targets().values().stream().anyMatch(Target::conv1d);
    PeftFiles.write(dir, a.config().withFanInFanOut(conv1d).withBaseModel(baseNameOrPath), a.parameters());
  }

  /**
   * Folds the attached adapter into the base weights (PEFT's merge_and_unload) and detaches it, so the model is the
   * plain merged model: a Linear weight W [out, in] becomes W + s B A, a Conv1D weight [in, out] W + s (B A)^T.
   */
  public static TransformerLm merge(TransformerLm model) {
    LoraAdapter a = attached(model);
    for (Map.Entry<String, LoraLinear> e : a.layers().entrySet()) {
      Target t = a.targets().get(e.getKey());
      e.getValue().mergeInto(model.weights().get(t.weightName()), t.conv1d());
    }
    model.setAdapter(null);
    return model;
  }

  /**
   * Runs body on the base alone (the adapter detached, then re-attached even if body throws): FSPO's reference with
   * LoRA is the policy with its adapter off, so no second copy of the weights exists. Call it before the policy's
   * own forward pass of a step: a forward pass ends the scope of the model's previous one.
   */
  public static <T> T withoutAdapter(TransformerLm model, java.util.function.Supplier<T> body) {
    Adapter a = model.adapter();
    model.setAdapter(null);
    try {
      return body.get();
    } finally {
      model.setAdapter(a);
    }
  }

  private static LoraAdapter attached(TransformerLm model) {
    Adapter a = model.adapter();
    if (!(a instanceof LoraAdapter l)) throw new IllegalStateException("the model has no LoRA adapter attached");
    return l;
  }

  /** The model's projections that config's target_modules selects; none is an error naming the choices. */
  static LinkedHashMap<String, Target> select(TransformerLm model, LoraConfig config, Path file) {
    LinkedHashMap<String, Target> out = new LinkedHashMap<>();
    LoraTargets.of(model).forEach((m, t) -> {
      if (config.targets(m)) out.put(m, t);
    });
    if (out.isEmpty()) {
      String msg = "target_modules " + config.targetModulesJson() + " selects no projection of this "
          + model.family() + " model; use some of " + LoraTargets.names(model);
      throw file == null ? new FspoUserException("lora config: " + msg, FspoUserException.CONFIG)
          : PeftFiles.error(file, msg);
    }
    return out;
  }

  private static INDArray tensor(Path file, Map<String, INDArray> tensors, String name, long[] shape) {
    INDArray t = tensors.get(name);
    if (t == null) {
      throw PeftFiles.error(file, "tensor " + name + " is missing; target_modules selects its module, so the file "
          + "needs it (is this adapter for this base model?)");
    }
    if (!Arrays.equals(t.shape(), shape)) {
      throw PeftFiles.error(file, "tensor " + name + " has shape " + Arrays.toString(t.shape()) + " but r and the "
          + "base model's projection need " + Arrays.toString(shape));
    }
    return t;
  }
}
