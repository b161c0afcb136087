package org.fspo.train.model.gpt2;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.SafeTensors.DType;
import org.fspo.train.model.Attention;
import org.fspo.train.model.Heads;
import org.fspo.train.model.Models;
import org.fspo.train.model.Ops;
import org.fspo.train.model.Ops.NormCache;
import org.fspo.train.model.Pass;
import org.fspo.train.model.TransformerLm;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GPT-2 (HF GPT2LMHeadModel, modeling_gpt2.py) with an explicit forward and backward pass: learned token and position
 * embeddings, pre-LayerNorm blocks of causal self-attention (packed c_attn) and a gelu_new MLP, a final LayerNorm,
 * and the LM head tied to the token embedding. Projections use HF's Conv1D layout: y = x @ W + b, W [in, out].
 * Not here: dropout (all fixtures and training use 0), cross-attention, scale_attn_by_inverse_layer_idx.
 *
 * <p>Dimensions: B batch, R run rows (B, or B/2 with prefix sharing), T tokens per row, N = R*T, C n_embd,
 * nh heads, hs = C/nh head size, V vocab.
 */
public final class Gpt2Model extends TransformerLm {
  private final Gpt2Config config;

  public Gpt2Model(Gpt2Config config, LinkedHashMap<String, INDArray> params, Map<String, DType> dtypes) {
    super(params, dtypes);
    this.config = config;
    Models.checkShapes("gpt2", shapes(config), params);
  }

  /** HF names and shapes of every trainable tensor, in HF's named_parameters order. */
  public static LinkedHashMap<String, long[]> shapes(Gpt2Config c) {
    long C = c.nEmbd(), I = c.innerSize();
    LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
    s.put("transformer.wte.weight", new long[] {c.vocabSize(), C});
    s.put("transformer.wpe.weight", new long[] {c.nPositions(), C});
    for (int l = 0; l < c.nLayer(); l++) {
      String h = "transformer.h." + l + ".";
      s.put(h + "ln_1.weight", new long[] {C});
      s.put(h + "ln_1.bias", new long[] {C});
      s.put(h + "attn.c_attn.weight", new long[] {C, 3 * C});
      s.put(h + "attn.c_attn.bias", new long[] {3 * C});
      s.put(h + "attn.c_proj.weight", new long[] {C, C});
      s.put(h + "attn.c_proj.bias", new long[] {C});
      s.put(h + "ln_2.weight", new long[] {C});
      s.put(h + "ln_2.bias", new long[] {C});
      s.put(h + "mlp.c_fc.weight", new long[] {C, I});
      s.put(h + "mlp.c_fc.bias", new long[] {I});
      s.put(h + "mlp.c_proj.weight", new long[] {I, C});
      s.put(h + "mlp.c_proj.bias", new long[] {C});
    }
    s.put("transformer.ln_f.weight", new long[] {C});
    s.put("transformer.ln_f.bias", new long[] {C});
    if (!c.tieWordEmbeddings()) s.put("lm_head.weight", new long[] {c.vocabSize(), C});
    return s;
  }

  /**
   * HF GPT2PreTrainedModel._init_weights: weights and embeddings ~ N(0, initializer_range), biases 0, LayerNorm 1/0,
   * and every c_proj.weight ~ N(0, initializer_range / sqrt(2 n_layer)) (GPT-2 paper's residual scaling).
   */
  public static Gpt2Model init(Gpt2Config c, long seed) {
    Random rng = new Random(seed);
    LinkedHashMap<String, INDArray> p = new LinkedHashMap<>();
    shapes(c).forEach((name, shape) -> {
      double std = c.initializerRange() / (name.endsWith("c_proj.weight") ? Math.sqrt(2.0 * c.nLayer()) : 1);
      boolean normWeight = name.contains("ln_") && name.endsWith("weight");
      p.put(name, shape.length == 1 ? Nd4j.valueArrayOf(shape, normWeight ? 1f : 0f) : Ops.normal(rng, std, shape));
    });
    return new Gpt2Model(c, p, Map.of());
  }

  public Gpt2Config config() {
    return config;
  }

  @Override
  public String family() {
    return "gpt2";
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  @Override
  public int maxPositions() {
    return config.nPositions();
  }

  @Override
  protected String headName() {
    return config.tieWordEmbeddings() ? "transformer.wte.weight" : "lm_head.weight";
  }

  @Override
  protected int[] kvShape() {
    return new int[] {config.nLayer(), config.nHead(), config.headSize()};
  }

  @Override
  public java.util.List<Integer> eosTokenIds() {
    return java.util.List.of(config.eosTokenId());
  }

  @Override
  protected ObjectNode configJson() {
    ObjectNode n = JSON.valueToTree(config);
    n.put("model_type", "gpt2");
    n.putArray("architectures").add("GPT2LMHeadModel");
    n.put("scale_attn_weights", true);
    n.put("scale_attn_by_inverse_layer_idx", false);
    n.put("reorder_and_upcast_attn", false);
    for (String k : new String[] {"attn_pdrop", "embd_pdrop", "resid_pdrop"}) n.put(k, 0.0);
    return n;
  }

  private INDArray w(int layer, String suffix) {
    return param("transformer.h." + layer + "." + suffix);
  }

  /** Activations one block keeps for its backward pass. */
  private static final class LayerCache {
    NormCache ln1, ln2;
    INDArray a, y, m, f, t, g; // ln_1 out, attention out before c_proj, ln_2 out, c_fc out, its tanh, gelu out
    Attention.Cache att;
  }

  // ---------------------------------------------------------------- forward

  @Override
  protected INDArray hidden(Pass p, List<Object> caches) {
    for (int pos : p.positions()) {
      if (pos >= config.nPositions()) {
        throw new FspoUserException("sequence of " + (pos + 1) + " tokens exceeds gpt2 n_positions "
            + config.nPositions() + "; shorten the episode (fewer shots) or use a model with more positions");
      }
    }
    INDArray x = embed(p); // [N, C]
    boolean keepInput = caches != null && checkpointing(); // recomputed in backward (recompute)
    for (int l = 0; l < config.nLayer(); l++) {
      LayerCache c = caches == null || keepInput ? null : new LayerCache();
      int layer = l;
      INDArray in = x;
      INDArray next = keepInput ? layerForward(() -> block(layer, in, p, null)) : block(l, x, p, c);
      if (caches != null) caches.add(keepInput ? x : c);
      x = next;
    }
    NormCache[] lnf = new NormCache[1];
    INDArray h = Ops.layerNorm(x, param("transformer.ln_f.weight"), param("transformer.ln_f.bias"),
        config.layerNormEpsilon(), lnf);
    Ops.close(x);
    if (caches != null) caches.add(lnf[0]);
    return h;
  }

  /** wte[ids] + wpe[positions]. */
  private INDArray embed(Pass p) {
    INDArray x = Nd4j.pullRows(param("transformer.wte.weight"), 1, p.ids()); // [N, C]
    return x.addi(Nd4j.pullRows(param("transformer.wpe.weight"), 1, p.positions()));
  }

  /** HF GPT2Block: x + attn(ln_1(x)), then + mlp(ln_2(.)). */
  private INDArray block(int l, INDArray x, Pass p, LayerCache c) {
    NormCache[] n = new NormCache[1];
    INDArray a = Ops.layerNorm(x, w(l, "ln_1.weight"), w(l, "ln_1.bias"), config.layerNormEpsilon(), n);
    INDArray out = x.add(attention(l, a, p, c)); // residual
    if (c != null) {
      c.ln1 = n[0];
      c.a = a;
    }
    INDArray m = Ops.layerNorm(out, w(l, "ln_2.weight"), w(l, "ln_2.bias"), config.layerNormEpsilon(), n);
    out.addi(mlp(l, m, c));
    if (c != null) {
      c.ln2 = n[0];
      c.m = m;
    }
    return out;
  }

  /** HF GPT2Attention: q, k, v = c_attn(a).split(C); softmax(q k^T / sqrt(hs) + mask) v; c_proj. */
  private INDArray attention(int l, INDArray a, Pass p, LayerCache c) {
    long R = p.rows(), T = p.len(), C = config.nEmbd(), nh = config.nHead(), hs = config.headSize();
    INDArray qkv = lora(l, "attn.c_attn", a,
        Ops.conv1d(a, w(l, "attn.c_attn.weight"), w(l, "attn.c_attn.bias"))); // [N, 3C]: q | k | v
    INDArray q = Heads.split(qkv, 0, R, T, nh, hs); // [R, nh, T, hs]
    INDArray k = Heads.split(qkv, C, R, T, nh, hs);
    INDArray v = Heads.split(qkv, 2 * C, R, T, nh, hs);
    Ops.close(qkv);
    if (p.kv() != null) {
      INDArray[] kv = p.kv().append(l, k, v); // [1, nh, past + T, hs]
      k = kv[0];
      v = kv[1];
    }
    Attention.Cache[] ac = c == null ? null : new Attention.Cache[1];
    INDArray y = Attention.forward(q, k, v, p.mask(), ac); // [R, nh, T, hs]
    INDArray y2 = Heads.merge(y); // [N, C]
    Ops.close(y);
    if (c != null) {
      c.att = ac[0];
      c.y = y2;
    }
    return lora(l, "attn.c_proj", y2,
        Ops.conv1d(y2, w(l, "attn.c_proj.weight"), w(l, "attn.c_proj.bias"))); // [N, C]
  }

  /** HF GPT2MLP: c_proj(gelu_new(c_fc(m))). */
  private INDArray mlp(int l, INDArray m, LayerCache c) {
    INDArray f = lora(l, "mlp.c_fc", m, Ops.conv1d(m, w(l, "mlp.c_fc.weight"), w(l, "mlp.c_fc.bias"))); // [N, I]
    INDArray t = c == null ? null : Nd4j.createUninitialized(f.dataType(), f.shape()); // tanh(...), for backward
    INDArray g = Ops.geluNew(f, t); // [N, I]
    INDArray out = lora(l, "mlp.c_proj", g,
        Ops.conv1d(g, w(l, "mlp.c_proj.weight"), w(l, "mlp.c_proj.bias"))); // [N, C]
    if (c != null) {
      c.f = f;
      c.t = t;
      c.g = g;
    } else {
      Ops.close(f, g);
    }
    return out;
  }

  // ---------------------------------------------------------------- backward

  @Override
  protected void backwardHidden(Pass p, List<Object> caches, INDArray dHidden, Map<String, INDArray> grads) {
    INDArray[] dgdb = new INDArray[2];
    INDArray dx = Ops.layerNormBackward(dHidden, param("transformer.ln_f.weight"),
        (NormCache) caches.get(config.nLayer()), dgdb); // [N, C]
    accumulate(grads, "transformer.ln_f.weight", dgdb[0]);
    accumulate(grads, "transformer.ln_f.bias", dgdb[1]);
    for (int l = config.nLayer() - 1; l >= 0; l--) {
      int layer = l;
      INDArray dOut = dx;
      dx = layerBackward(() -> blockBackward(layer, dOut, p, recompute(layer, caches.get(layer), p), grads));
    }
    if (trains("transformer.wte.weight")) { // a frozen base (LoRA) skips the [V, C] and [P, C] scatters
      accumulate(grads, "transformer.wte.weight", Ops.scatterAddRows(config.vocabSize(), p.ids(), dx));
      accumulate(grads, "transformer.wpe.weight", Ops.scatterAddRows(config.nPositions(), p.positions(), dx));
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

  private INDArray blockBackward(int l, INDArray dOut, Pass p, LayerCache c, Map<String, INDArray> grads) {
    String h = "transformer.h." + l + ".";
    INDArray[] dgdb = new INDArray[2];
    INDArray dm = mlpBackward(l, dOut, c, grads); // [N, C]
    INDArray dMid = dOut.add(Ops.layerNormBackward(dm, w(l, "ln_2.weight"), c.ln2, dgdb)); // residual
    accumulate(grads, h + "ln_2.weight", dgdb[0]);
    accumulate(grads, h + "ln_2.bias", dgdb[1]);
    INDArray da = attentionBackward(l, dMid, p, c, grads); // [N, C]
    INDArray dIn = dMid.addi(Ops.layerNormBackward(da, w(l, "ln_1.weight"), c.ln1, dgdb));
    accumulate(grads, h + "ln_1.weight", dgdb[0]);
    accumulate(grads, h + "ln_1.bias", dgdb[1]);
    Ops.close(dm, da, c.a, c.m, c.ln1.xhat(), c.ln2.xhat());
    return dIn;
  }

  private INDArray attentionBackward(int l, INDArray dOut, Pass p, LayerCache c, Map<String, INDArray> grads) {
    long R = p.rows(), T = p.len(), C = config.nEmbd(), nh = config.nHead(), hs = config.headSize();
    String h = "transformer.h." + l + ".attn.";
    if (trains(h + "c_proj.weight")) accumulate(grads, h + "c_proj.weight", Ops.mm(c.y, dOut, true, false)); // [C, C]
    accumulate(grads, h + "c_proj.bias", Ops.colSum(dOut));
    INDArray dy2 = Ops.mm(dOut, w(l, "attn.c_proj.weight"), false, true); // [N, C]
    loraBackward(l, "attn.c_proj", c.y, dOut, dy2, grads);
    INDArray dy = Heads.split(dy2, 0, R, T, nh, hs); // [R, nh, T, hs]
    INDArray[] dqkv = Attention.backward(dy, c.att); // each [R, nh, T, hs]
    INDArray dQkv = Nd4j.createUninitialized(dy.dataType(), R * T, 3 * C); // [N, 3C]: dq | dk | dv
    for (int i = 0; i < 3; i++) Heads.merge(dqkv[i], dQkv, i * C);
    if (trains(h + "c_attn.weight")) accumulate(grads, h + "c_attn.weight", Ops.mm(c.a, dQkv, true, false)); // [C, 3C]
    accumulate(grads, h + "c_attn.bias", Ops.colSum(dQkv));
    INDArray da = Ops.mm(dQkv, w(l, "attn.c_attn.weight"), false, true); // [N, C]
    loraBackward(l, "attn.c_attn", c.a, dQkv, da, grads);
    Ops.close(dy2, dy, dQkv, c.y, dqkv[0], dqkv[1], dqkv[2]);
    return da;
  }

  private INDArray mlpBackward(int l, INDArray dOut, LayerCache c, Map<String, INDArray> grads) {
    String h = "transformer.h." + l + ".mlp.";
    if (trains(h + "c_proj.weight")) accumulate(grads, h + "c_proj.weight", Ops.mm(c.g, dOut, true, false)); // [I, C]
    accumulate(grads, h + "c_proj.bias", Ops.colSum(dOut));
    INDArray dg = Ops.mm(dOut, w(l, "mlp.c_proj.weight"), false, true); // [N, I]
    loraBackward(l, "mlp.c_proj", c.g, dOut, dg, grads);
    INDArray df = Ops.geluNewBackward(c.f, c.t, dg); // [N, I]
    if (trains(h + "c_fc.weight")) accumulate(grads, h + "c_fc.weight", Ops.mm(c.m, df, true, false)); // [C, I]
    accumulate(grads, h + "c_fc.bias", Ops.colSum(df));
    INDArray dm = Ops.mm(df, w(l, "mlp.c_fc.weight"), false, true); // [N, C]
    loraBackward(l, "mlp.c_fc", c.m, df, dm, grads);
    Ops.close(dg, df, c.f, c.t, c.g);
    return dm;
  }

  /** LoRA hook: y, the output of layer l's Conv1D suffix (e.g. "attn.c_attn") for x, plus its adapter's part. */
  private INDArray lora(int l, String suffix, INDArray x, INDArray y) {
    return adapt("transformer.h." + l + "." + suffix, x, y);
  }

  /** The adapter's backward for layer l's Conv1D suffix: dx += its part; its gradients into grads. */
  private void loraBackward(int l, String suffix, INDArray x, INDArray dy, INDArray dx, Map<String, INDArray> grads) {
    adaptBackward("transformer.h." + l + "." + suffix, x, dy, dx, grads);
  }
}
