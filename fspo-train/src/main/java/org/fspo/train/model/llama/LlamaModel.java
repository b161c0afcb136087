package org.fspo.train.model.llama;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.SafeTensors.DType;
import org.fspo.train.model.Attention;
import org.fspo.train.model.Heads;
import org.fspo.train.model.Ops;
import org.fspo.train.model.Ops.NormCache;
import org.fspo.train.model.Pass;
import org.fspo.train.model.SwiGlu;
import org.fspo.train.model.Models;
import org.fspo.train.model.TransformerLm;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Llama (HF LlamaForCausalLM, modeling_llama.py) with an explicit forward and backward pass: token embedding,
 * pre-RMSNorm blocks of causal self-attention with RoPE and grouped-query heads and a SiLU-gated MLP, a final
 * RMSNorm, and an LM head that is lm_head.weight, or the embedding when tied. Projections are torch Linear:
 * y = x @ W^T + b, W [out, in], with a bias b [out] where the config has one (Qwen2: q, k, v; Llama's attention_bias:
 * q, k, v, o; mlp_bias: gate, up, down). The same class runs model_type llama, mistral and qwen2 (Qwen2Model and
 * MistralModel are this architecture), with RoPE scaling from {@link RopeConfig}. Not here: dropout, sliding window.
 *
 * <p>Dimensions: B batch, R run rows (B, or B/2 with prefix sharing), T tokens per row, N = R*T, C hidden_size,
 * nh query heads, nkv key/value heads, hs head_dim, I intermediate_size, V vocab.
 */
public final class LlamaModel extends TransformerLm {
  private final LlamaConfig config;
  private final Rope rope;
  private final LlamaBackward backward;

  public LlamaModel(LlamaConfig config, LinkedHashMap<String, INDArray> params, Map<String, DType> dtypes) {
    super(params, dtypes);
    this.config = config;
    this.rope = new Rope(config.rope(), config.headDim());
    this.backward = new LlamaBackward(this, rope);
    Models.checkShapes("llama", shapes(config), params);
  }

  /** HF names and shapes of every trainable tensor, in HF's named_parameters order. */
  public static LinkedHashMap<String, long[]> shapes(LlamaConfig c) {
    long C = c.hiddenSize(), I = c.intermediateSize(), q = (long) c.numAttentionHeads() * c.headDim();
    long kv = (long) c.numKeyValueHeads() * c.headDim();
    LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
    s.put("model.embed_tokens.weight", new long[] {c.vocabSize(), C});
    for (int l = 0; l < c.numHiddenLayers(); l++) {
      String h = "model.layers." + l + ".";
      linear(s, h + "self_attn.q_proj", q, C, c.qkvBias());
      linear(s, h + "self_attn.k_proj", kv, C, c.qkvBias());
      linear(s, h + "self_attn.v_proj", kv, C, c.qkvBias());
      linear(s, h + "self_attn.o_proj", C, q, c.oBias());
      linear(s, h + "mlp.gate_proj", I, C, c.mlpBias());
      linear(s, h + "mlp.up_proj", I, C, c.mlpBias());
      linear(s, h + "mlp.down_proj", C, I, c.mlpBias());
      s.put(h + "input_layernorm.weight", new long[] {C});
      s.put(h + "post_attention_layernorm.weight", new long[] {C});
    }
    s.put("model.norm.weight", new long[] {C});
    if (!c.tieWordEmbeddings()) s.put("lm_head.weight", new long[] {c.vocabSize(), C});
    return s;
  }

  /** A torch Linear's weight [out, in] and, with a bias, bias [out], in named_parameters order. */
  private static void linear(Map<String, long[]> s, String module, long out, long in, boolean bias) {
    s.put(module + ".weight", new long[] {out, in});
    if (bias) s.put(module + ".bias", new long[] {out});
  }

  /**
   * HF LlamaPreTrainedModel._init_weights: Linear and Embedding weights ~ N(0, initializer_range), Linear biases 0,
   * RMSNorm weights 1.
   */
  public static LlamaModel init(LlamaConfig c, long seed) {
    Random rng = new Random(seed);
    LinkedHashMap<String, INDArray> p = new LinkedHashMap<>();
    shapes(c).forEach((name, shape) -> p.put(name, name.endsWith(".bias") ? Nd4j.zeros(shape)
        : shape.length == 1 ? Nd4j.valueArrayOf(shape, 1f) : Ops.normal(rng, c.initializerRange(), shape)));
    return new LlamaModel(c, p, Map.of());
  }

  public LlamaConfig config() {
    return config;
  }

  @Override
  public String family() {
    return "llama";
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  @Override
  public int maxPositions() {
    return config.maxPositionEmbeddings();
  }

  @Override
  protected String headName() {
    return config.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
  }

  @Override
  protected int[] kvShape() {
    return new int[] {config.numHiddenLayers(), config.numKeyValueHeads(), config.headDim()};
  }

  @Override
  public List<Integer> eosTokenIds() {
    return config.eosTokenIds();
  }

  @Override
  protected ObjectNode configJson() {
    return config.toJson();
  }

  private INDArray w(int layer, String suffix) {
    return param("model.layers." + layer + "." + suffix);
  }

  /**
   * HF nn.Linear of layer l's module (e.g. "self_attn.q_proj"): x [N, in] -> x @ W^T + b [N, out], plus the LoRA
   * adapter's part when one is attached (TransformerLm.adapt).
   */
  private INDArray proj(int l, String module, INDArray x) {
    return proj(l, module, x, null);
  }

  /** As above, added into into [N, out] (the residual stream) by the same gemm (beta 1) when it is not null. */
  private INDArray proj(int l, String module, INDArray x, INDArray into) {
    String name = "model.layers." + l + "." + module;
    INDArray w = param(name + ".weight"), b = params.get(name + ".bias");
    if (into == null) return adapt(name, x, Ops.linear(x, w, b));
    return adapt(name, x, Ops.addBias(Nd4j.gemm(x, w, into, false, true, 1.0, 1.0), b));
  }

  /** Activations one block keeps for its backward pass ({@link LlamaBackward}). */
  static final class LayerCache {
    NormCache norm1, norm2;
    INDArray a, y, m, gate, up, hidden; // norm outputs, attention out, MLP pieces
    Attention.Cache att;
  }

  // TransformerLm's hooks for LlamaBackward (they are protected there)
  INDArray weight(String name) {
    return param(name);
  }

  INDArray bias(String name) {
    return params.get(name);
  }

  boolean trainsTensor(String name) {
    return trains(name);
  }

  void grad(Map<String, INDArray> grads, String name, INDArray g) {
    accumulate(grads, name, g);
  }

  void adapterBackward(String module, INDArray x, INDArray dy, INDArray dx, Map<String, INDArray> grads) {
    adaptBackward(module, x, dy, dx, grads);
  }

  // ---------------------------------------------------------------- forward

  @Override
  protected INDArray hidden(Pass p, List<Object> caches) {
    for (int pos : p.positions()) {
      if (pos >= config.maxPositionEmbeddings()) {
        throw new FspoUserException("sequence of " + (pos + 1) + " tokens exceeds " + config.modelType()
            + " max_position_embeddings " + config.maxPositionEmbeddings()
            + "; shorten the episode (fewer shots) or raise the limit");
      }
    }
    INDArray x = Nd4j.pullRows(param("model.embed_tokens.weight"), 1, p.ids()); // [N, C]
    boolean keepInput = caches != null && checkpointing(); // recomputed in backward (recompute)
    for (int l = 0; l < config.numHiddenLayers(); l++) {
      LayerCache c = caches == null || keepInput ? null : new LayerCache();
      int layer = l;
      INDArray in = x;
      INDArray next = keepInput ? layerForward(() -> block(layer, in, p, null)) : block(l, x, p, c);
      if (caches != null) caches.add(keepInput ? x : c);
      if (!keepInput) Ops.close(x);
      x = next;
    }
    NormCache[] n = new NormCache[1];
    INDArray h = Ops.rmsNorm(x, param("model.norm.weight"), config.rmsNormEps(), n);
    Ops.close(x);
    if (caches != null) caches.add(n[0]);
    return h;
  }

  /** HF LlamaDecoderLayer: x + self_attn(input_layernorm(x)), then + mlp(post_attention_layernorm(.)). */
  private INDArray block(int l, INDArray x, Pass p, LayerCache c) {
    NormCache[] n = new NormCache[1];
    INDArray a = Ops.rmsNorm(x, w(l, "input_layernorm.weight"), config.rmsNormEps(), n);
    INDArray out = attention(l, a, p, c, Ops.copy(x)); // x + attention: o_proj adds into a copy of x
    if (c != null) {
      c.norm1 = n[0];
      c.a = a;
    }
    INDArray m = Ops.rmsNorm(out, w(l, "post_attention_layernorm.weight"), config.rmsNormEps(), n);
    mlp(l, m, c, out); // + mlp: down_proj adds into out
    if (c != null) {
      c.norm2 = n[0];
      c.m = m;
    }
    return out;
  }

  /** HF LlamaAttention: q, k, v projections, RoPE on q and k, GQA attention, o_proj, added into out; returns out. */
  private INDArray attention(int l, INDArray a, Pass p, LayerCache c, INDArray out) {
    long R = p.rows(), T = p.len(), N = R * T, nh = config.numAttentionHeads(), nkv = config.numKeyValueHeads();
    long hs = config.headDim();
    INDArray q = rope.apply(proj(l, "self_attn.q_proj", a).reshape('c', N, nh, hs), p.positions()); // [N, nh, hs]
    INDArray k = rope.apply(proj(l, "self_attn.k_proj", a).reshape('c', N, nkv, hs), p.positions()); // [N, nkv, hs]
    INDArray v = proj(l, "self_attn.v_proj", a); // [N, nkv*hs]
    INDArray q4 = Heads.split(q.reshape('c', N, nh * hs), 0, R, T, nh, hs); // [R, nh, T, hs]
    INDArray k4 = Heads.split(k.reshape('c', N, nkv * hs), 0, R, T, nkv, hs); // [R, nkv, T, hs]
    INDArray v4 = Heads.split(v, 0, R, T, nkv, hs); // [R, nkv, T, hs]
    Ops.close(q, k, v);
    if (p.kv() != null) {
      INDArray[] kv = p.kv().append(l, k4, v4); // [1, nkv, past + T, hs]
      k4 = kv[0];
      v4 = kv[1];
    }
    Attention.Cache[] ac = c == null ? null : new Attention.Cache[1];
    INDArray y = Attention.forward(q4, k4, v4, p.mask(), ac); // [R, nh, T, hs]
    INDArray y2 = Heads.merge(y); // [N, nh*hs]
    Ops.close(y);
    if (c != null) {
      c.att = ac[0];
      c.y = y2;
    }
    return proj(l, "self_attn.o_proj", y2, out); // [N, C]
  }

  /** HF LlamaMLP: down_proj(silu(gate_proj(m)) * up_proj(m)), added into out; returns out. */
  private INDArray mlp(int l, INDArray m, LayerCache c, INDArray out) {
    INDArray gate = proj(l, "mlp.gate_proj", m); // [N, I]
    INDArray up = proj(l, "mlp.up_proj", m); // [N, I]
    INDArray hidden = SwiGlu.forward(gate, up); // silu(gate) * up [N, I]
    proj(l, "mlp.down_proj", hidden, out); // [N, C]
    if (c != null) {
      c.gate = gate;
      c.up = up;
      c.hidden = hidden;
    } else {
      Ops.close(gate, up, hidden);
    }
    return out;
  }

  // ---------------------------------------------------------------- backward

  @Override
  protected void backwardHidden(Pass p, List<Object> caches, INDArray dHidden, Map<String, INDArray> grads) {
    int L = config.numHiddenLayers();
    INDArray[] dg = new INDArray[1];
    INDArray dx = Ops.rmsNormBackward(dHidden, param("model.norm.weight"), (NormCache) caches.get(L), dg);
    accumulate(grads, "model.norm.weight", dg[0]);
    for (int l = L - 1; l >= 0; l--) {
      int layer = l;
      INDArray dOut = dx;
      dx = layerBackward(() -> backward.block(layer, dOut, p, recompute(layer, caches.get(layer), p), grads));
    }
    if (trains("model.embed_tokens.weight")) {
      accumulate(grads, "model.embed_tokens.weight", Ops.scatterAddRows(config.vocabSize(), p.ids(), dx));
    }
    caches.clear();
  }

  /** The block's activations: as kept, or (activation checkpointing kept its input x) its forward run again. */
  private LayerCache recompute(int l, Object kept, Pass p) {
    if (kept instanceof LayerCache c) return c;
    LayerCache c = new LayerCache();
    Ops.close(block(l, (INDArray) kept, p, c));
    return c;
  }
}
