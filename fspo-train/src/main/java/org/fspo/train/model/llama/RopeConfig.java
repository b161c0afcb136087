package org.fspo.train.model.llama;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.fspo.core.FspoUserException;

/**
 * RoPE's base and scaling, as transformers' modeling_rope_utils.py computes the inverse frequencies for the types
 * this project supports ({@code default}, {@code linear}, {@code llama3}; every type's attention factor is 1).
 * config.json has two layouts, both read by {@link #fromJson}:
 *
 * <ul>
 *   <li>transformers 4.x: top-level {@code rope_theta} and {@code rope_scaling} (null, or an object whose type is
 *       under {@code rope_type}, or the older {@code type}), e.g. Llama 3.2's
 *       {@code {"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
 *       "original_max_position_embeddings": 8192}};
 *   <li>transformers 5: the same keys and {@code rope_theta} nested under {@code rope_parameters}.
 * </ul>
 *
 * @param type                          default, linear or llama3
 * @param theta                         rope_theta, the base
 * @param factor                        factor: linear divides every frequency by it; llama3 the low ones
 * @param lowFreqFactor                 low_freq_factor (llama3)
 * @param highFreqFactor                high_freq_factor (llama3)
 * @param originalMaxPositionEmbeddings original_max_position_embeddings (llama3): the pre-training context
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RopeConfig(
    @JsonProperty("rope_type") String type,
    @JsonProperty("rope_theta") double theta,
    @JsonProperty("factor") Double factor,
    @JsonProperty("low_freq_factor") Double lowFreqFactor,
    @JsonProperty("high_freq_factor") Double highFreqFactor,
    @JsonProperty("original_max_position_embeddings") Integer originalMaxPositionEmbeddings) {

  static final List<String> TYPES = List.of("default", "linear", "llama3");

  public RopeConfig {
    validate("rope", type, theta, factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings);
  }

  /** One-line errors naming the key under {@code where} (rope_scaling or rope_parameters). */
  private static void validate(String where, String type, double theta, Double factor, Double low, Double high,
      Integer original) {
    require(TYPES.contains(type), where + ".rope_type " + type + " is not supported (only default, linear, llama3);"
        + " use a checkpoint with one of these RoPE types");
    require(theta > 0, "rope_theta must be positive");
    if (!type.equals("default")) require(factor != null && factor > 0, where + ".factor must be a number > 0");
    if (type.equals("llama3")) {
      require(low != null && high != null && high > low && low > 0,
          where + ".low_freq_factor and high_freq_factor must be numbers with 0 < low < high");
      require(original != null && original > 0, where + ".original_max_position_embeddings must be a positive int");
    }
  }

  /** Unscaled RoPE with the given base. */
  public static RopeConfig standard(double theta) {
    return new RopeConfig("default", theta, null, null, null, null);
  }

  /**
   * The RoPE of a config.json tree. rope_parameters (transformers 5) wins over rope_scaling (4.x); rope_theta is
   * taken from rope_parameters, else top-level, else {@code defaultTheta}.
   */
  public static RopeConfig fromJson(JsonNode config, double defaultTheta) {
    JsonNode params = config.path("rope_parameters");
    String where = "rope_parameters";
    if (!params.isObject()) {
      params = config.path("rope_scaling");
      where = "rope_scaling";
    }
    JsonNode theta = params.has("rope_theta") ? params.get("rope_theta") : config.path("rope_theta");
    double base = theta.isNumber() ? theta.asDouble() : defaultTheta;
    double partial = params.path("partial_rotary_factor").asDouble(config.path("partial_rotary_factor").asDouble(1));
    require(partial == 1.0, "partial_rotary_factor " + partial + " is not supported (only 1)");
    if (!params.isObject()) return standard(base);
    boolean nested = false; // transformers 5 may key rope_parameters by layer type: {"full_attention": {...}, ...}
    for (JsonNode v : params) nested |= v.isContainerNode();
    require(!nested, where + " holds one RoPE per layer type, which is not supported; use a checkpoint with one RoPE");
    String type = params.path("rope_type").asText(params.path("type").asText("default"));
    Double factor = num(params, "factor"), low = num(params, "low_freq_factor"), high = num(params, "high_freq_factor");
    JsonNode orig = params.path("original_max_position_embeddings");
    Integer original = orig.isIntegralNumber() ? orig.asInt() : null;
    validate(where, type, base, factor, low, high, original);
    return new RopeConfig(type, base, factor, low, high, original);
  }

  private static Double num(JsonNode n, String key) {
    return n.path(key).isNumber() ? n.get(key).asDouble() : null;
  }

  /**
   * Writes both layouts into a config.json tree: top-level rope_theta and rope_scaling (null when default) for
   * transformers 4.x, and rope_parameters for transformers 5.
   */
  public void writeTo(ObjectNode n, com.fasterxml.jackson.databind.ObjectMapper json) {
    ObjectNode all = json.valueToTree(this);
    n.put("rope_theta", theta);
    if (type.equals("default")) {
      n.putNull("rope_scaling");
    } else {
      ObjectNode scaling = all.deepCopy();
      scaling.remove("rope_theta");
      n.set("rope_scaling", scaling);
    }
    n.set("rope_parameters", all);
  }

  /**
   * inv_freq [hs/2] in float32, as transformers computes it. Default:
   * {@code inv_freq[i] = 1 / theta^(2i/hs)}. Linear: {@code inv_freq / factor}. Llama3
   * (_compute_llama3_parameters), with wavelen = 2 pi / inv_freq, low_wl = original / low_freq_factor and
   * high_wl = original / high_freq_factor: kept when wavelen < high_wl, divided by factor when wavelen > low_wl, and
   * in between {@code (1 - s) inv_freq / factor + s inv_freq} with
   * {@code s = (original / wavelen - low) / (high - low)}.
   */
  @JsonIgnore
  public float[] invFreq(int headDim) {
    int half = headDim / 2;
    float[] f = new float[half];
    for (int i = 0; i < half; i++) {
      // torch: base ** (arange(0, dim, 2).float() / dim), then 1.0 / that, all in float32
      float exponent = (float) (2 * i) / (float) headDim;
      f[i] = 1f / (float) Math.pow(theta, exponent);
      if (type.equals("linear")) f[i] = (float) (f[i] / factor);
      if (type.equals("llama3")) f[i] = llama3(f[i]);
    }
    return f;
  }

  private float llama3(float invFreq) {
    float fac = factor.floatValue(), low = lowFreqFactor.floatValue(), high = highFreqFactor.floatValue();
    float old = originalMaxPositionEmbeddings;
    float lowWavelen = old / low, highWavelen = old / high;
    float wavelen = (float) (2 * Math.PI) / invFreq;
    if (wavelen < highWavelen) return invFreq; // high frequency: kept
    if (wavelen > lowWavelen) return invFreq / fac; // low frequency: interpolated by factor
    float smooth = (old / wavelen - low) / (high - low);
    return (1 - smooth) * invFreq / fac + smooth * invFreq;
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new FspoUserException("llama config.json: " + message, FspoUserException.CONFIG);
  }
}
