package org.fspo.train.model.lora;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.fspo.train.model.TransformerLm;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The projections of a model that LoRA can adapt, by HF module path, with their widths. Llama family: torch Linear
 * q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, weight [out, in]. GPT-2: Conv1D c_attn (packed
 * q|k|v, so one adapter spans all three), attn.c_proj, c_fc, mlp.c_proj, weight [in, out]. The LM head and the
 * embeddings are never targets (PEFT's "all-linear" leaves the output layer out too).
 */
public final class LoraTargets {
  private static final Pattern LLAMA =
      Pattern.compile("model\\.layers\\.\\d+\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight");
  private static final Pattern GPT2 =
      Pattern.compile("transformer\\.h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)\\.weight");

  private LoraTargets() {}

  /**
   * One adaptable projection.
   *
   * @param module HF module path, the weight's name without ".weight"
   * @param in     input width (A is [r, in])
   * @param out    output width (B is [out, r])
   * @param conv1d GPT-2's Conv1D, whose weight is stored [in, out] (PEFT's fan_in_fan_out)
   */
  public record Target(String module, long in, long out, boolean conv1d) {
    public String weightName() {
      return module + ".weight";
    }
  }

  /** Every adaptable projection of the model, in parameter order. */
  public static LinkedHashMap<String, Target> of(TransformerLm model) {
    boolean gpt2 = model.family().equals("gpt2");
    Pattern p = gpt2 ? GPT2 : LLAMA;
    LinkedHashMap<String, Target> out = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : model.weights().entrySet()) {
      if (!p.matcher(e.getKey()).matches()) continue;
      long[] s = e.getValue().shape();
      String module = e.getKey().substring(0, e.getKey().length() - ".weight".length());
      out.put(module, gpt2 ? new Target(module, s[0], s[1], true) : new Target(module, s[1], s[0], false));
    }
    return out;
  }

  /** The short names a user writes in target_modules for this family, for error messages. */
  public static String names(TransformerLm model) {
    return model.family().equals("gpt2") ? "c_attn, c_proj, c_fc"
        : "q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj";
  }
}
