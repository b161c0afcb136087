package org.fspo.train.model.lora;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.fspo.train.model.Adapter;
import org.fspo.train.model.lora.LoraTargets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A set of {@link LoraLinear}s over a model's projections, one per targeted module, with PEFT's tensor names
 * ({@code base_model.model.<module>.lora_A.weight} [r, in], {@code ...lora_B.weight} [out, r}), which are also the
 * names of its parameters and gradients. lora_dropout applies only between {@link #trainStep} and {@link #eval}
 * (the trainer's step): each training forward pass draws its masks from (step key, pass number, module), and its
 * backward pass uses them again; logits, decoding and scoring never drop anything, as in PEFT's eval mode.
 */
public final class LoraAdapter implements Adapter {
  private static final String PREFIX = "base_model.model.";

  private final LoraConfig config;
  private final LinkedHashMap<String, LoraLinear> layers; // by module path
  private final LinkedHashMap<String, Target> targets;
  private final LinkedHashMap<String, INDArray> params = new LinkedHashMap<>();
  private boolean training; // dropout on: between trainStep and eval ...
  private boolean inPass; // ... inside a training pass's stack
  private long stepKey, passKey;
  private int passes;

  /** layers and targets keyed by the same module paths. */
  public LoraAdapter(LoraConfig config, LinkedHashMap<String, LoraLinear> layers,
      LinkedHashMap<String, Target> targets) {
    this.config = config;
    this.layers = layers;
    this.targets = targets;
    layers.forEach((module, lin) -> {
      if (!targets.containsKey(module)) throw new IllegalArgumentException("no target for LoRA module " + module);
      params.put(nameA(module), lin.a());
      params.put(nameB(module), lin.b());
    });
  }

  /**
   * PEFT's initialisation (lora.LoraLayer.reset_lora_parameters, init_lora_weights=True): A ~ kaiming_uniform(a =
   * sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), and B = 0, so the adapted model starts equal to the base. Deterministic
   * for the seed; one layer per target the config selects.
   */
  public static LoraAdapter init(LoraConfig config, LinkedHashMap<String, Target> selected, long seed) {
    Random rng = new Random(seed);
    LinkedHashMap<String, LoraLinear> layers = new LinkedHashMap<>();
    for (Target t : selected.values()) {
      float bound = (float) (1 / Math.sqrt(t.in()));
      float[] a = new float[Math.toIntExact(config.r() * t.in())];
      for (int i = 0; i < a.length; i++) a[i] = (rng.nextFloat() * 2 - 1) * bound;
      INDArray b = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, t.out(), config.r());
      layers.put(t.module(), new LoraLinear(Nd4j.create(a, new long[] {config.r(), t.in()}, 'c'), b, config.scale()));
    }
    return new LoraAdapter(config, layers, selected);
  }

  public static String nameA(String module) {
    return PREFIX + module + ".lora_A.weight";
  }

  public static String nameB(String module) {
    return PREFIX + module + ".lora_B.weight";
  }

  /** The module path of a PEFT tensor name {@code base_model.model.<module>.lora_[AB].weight}, or null. */
  static String moduleOf(String tensorName) {
    if (!tensorName.startsWith(PREFIX)) return null;
    for (String end : new String[] {".lora_A.weight", ".lora_B.weight"}) {
      if (tensorName.endsWith(end)) return tensorName.substring(PREFIX.length(), tensorName.length() - end.length());
    }
    return null;
  }

  public LoraConfig config() {
    return config;
  }

  /** The adapted modules, by module path. */
  public Map<String, LoraLinear> layers() {
    return layers;
  }

  public Map<String, Target> targets() {
    return targets;
  }

  /**
   * Turns lora_dropout on for the training forward passes of one optimizer step; the masks are a function of key
   * (the trainer derives it from the run seed, stage and step, so a resumed run draws the same ones) and of the
   * pass's number within the step.
   */
  public void trainStep(long key) {
    training = true;
    stepKey = key;
    passes = 0;
  }

  /** Turns lora_dropout off (the default): the adapter computes s * (x A^T) B^T. */
  public void eval() {
    training = false;
  }

  private boolean dropping() {
    return training && inPass && config.loraDropout() > 0;
  }

  @Override
  public void inTrainingPass(boolean on) {
    inPass = on;
  }

  @Override
  public void beginForward() {
    if (training) passKey = LoraDropout.mix(stepKey + LoraDropout.mix(++passes));
  }

  @Override
  public INDArray forward(String module, INDArray x, INDArray y) {
    LoraLinear l = layers.get(module);
    if (l == null) return y;
    return dropping() ? l.forward(x, y, config.loraDropout(), LoraDropout.key(passKey, module)) : l.forward(x, y);
  }

  @Override
  public void backward(String module, INDArray x, INDArray dy, INDArray dx, BiConsumer<String, INDArray> grads) {
    LoraLinear l = layers.get(module);
    if (l == null) return;
    INDArray[] d = dropping() ? l.backward(x, dy, dx, config.loraDropout(), LoraDropout.key(passKey, module))
        : l.backward(x, dy, dx);
    grads.accept(nameA(module), d[0]);
    grads.accept(nameB(module), d[1]);
  }

  @Override
  public LinkedHashMap<String, INDArray> parameters() {
    return params;
  }
}
