package org.fspo.train.model.llama;

import java.util.Map;
import org.fspo.train.model.Attention;
import org.fspo.train.model.Heads;
import org.fspo.train.model.Ops;
import org.fspo.train.model.Pass;
import org.fspo.train.model.SwiGlu;
import org.fspo.train.model.llama.LlamaModel.LayerCache;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The backward pass of one {@link LlamaModel} block (HF LlamaDecoderLayer), given dLoss/dout [N, C] and the block's
 * activations; returns dLoss/dx [N, C]. Products go straight where they belong, one gemm each with its transposes
 * as flags: a weight's gradient dW = dy^T x into its gradient array (beta 1 when the tensor already has one: no
 * temporary, no copy out of the layer workspace), and the input gradients of projections that share an input (q, k, v;
 * gate, up) into one dx (beta 1), so no temporaries are added afterwards. Dimensions as in LlamaModel.
 */
final class LlamaBackward {
  private final LlamaModel model;
  private final LlamaConfig config;
  private final Rope rope;

  LlamaBackward(LlamaModel model, Rope rope) {
    this.model = model;
    this.config = model.config();
    this.rope = rope;
  }

  /** dOut is overwritten: it becomes dLoss/dx, the returned array (residual gradients added in place). */
  INDArray block(int l, INDArray dOut, Pass p, LayerCache c, Map<String, INDArray> grads) {
    String h = "model.layers." + l + ".";
    INDArray[] dg = new INDArray[1];
    INDArray dm = mlp(l, dOut, c, grads); // [N, C]; the last use of dOut, which the residual's gradient now takes
    INDArray dMid = Ops.rmsNormBackward(dm, model.weight(h + "post_attention_layernorm.weight"), c.norm2, dg, dOut);
    model.grad(grads, h + "post_attention_layernorm.weight", dg[0]);
    INDArray da = attention(l, dMid, p, c, grads); // [N, C]
    INDArray dIn = Ops.rmsNormBackward(da, model.weight(h + "input_layernorm.weight"), c.norm1, dg, dMid);
    model.grad(grads, h + "input_layernorm.weight", dg[0]);
    Ops.close(dm, da, c.a, c.m, c.norm1.xhat(), c.norm2.xhat());
    return dIn;
  }

  private INDArray attention(int l, INDArray dOut, Pass p, LayerCache c, Map<String, INDArray> grads) {
    long R = p.rows(), T = p.len(), N = R * T, nh = config.numAttentionHeads(), nkv = config.numKeyValueHeads();
    long hs = config.headDim();
    INDArray dy2 = proj(l, "self_attn.o_proj", dOut, c.y, grads, null); // [N, nh*hs]
    INDArray dy = Heads.split(dy2, 0, R, T, nh, hs); // [R, nh, T, hs]
    INDArray[] d = Attention.backward(dy, c.att); // dq [R, nh, T, hs], dk, dv [R, nkv, T, hs]
    INDArray dq = rope.backward(Heads.merge(d[0]).reshape('c', N, nh, hs), p.positions()); // [N, nh, hs]
    INDArray dk = rope.backward(Heads.merge(d[1]).reshape('c', N, nkv, hs), p.positions()); // [N, nkv, hs]
    INDArray dv = Heads.merge(d[2]); // [N, nkv*hs]
    INDArray da = proj(l, "self_attn.q_proj", dq.reshape('c', N, nh * hs), c.a, grads, null); // [N, C]
    proj(l, "self_attn.k_proj", dk.reshape('c', N, nkv * hs), c.a, grads, da); // da += dk Wk
    proj(l, "self_attn.v_proj", dv, c.a, grads, da); // da += dv Wv
    Ops.close(dy2, dy, d[0], d[1], d[2], dq, dk, dv, c.y);
    return da;
  }

  /** HF LlamaMLP's backward: down_proj, the gated activation (SwiGlu), then gate_proj and up_proj into one dm. */
  private INDArray mlp(int l, INDArray dOut, LayerCache c, Map<String, INDArray> grads) {
    INDArray dHidden = proj(l, "mlp.down_proj", dOut, c.hidden, grads, null); // [N, I]
    INDArray[] d = SwiGlu.backward(c.gate, c.up, dHidden); // dGate, dUp (= dHidden, overwritten) [N, I]
    INDArray dm = proj(l, "mlp.gate_proj", d[0], c.m, grads, null); // [N, C]
    proj(l, "mlp.up_proj", d[1], c.m, grads, dm); // dm += dUp Wup
    Ops.close(dHidden, d[0], c.gate, c.up, c.hidden);
    return dm;
  }

  /**
   * Backward of a torch Linear of layer l's module given dy [N, out] and its input x [N, in]: dW += dy^T x [out, in]
   * and db += column sums of dy [out] (unless frozen), and dx = dy W [N, in] plus the adapter's part, written into
   * into (added, beta 1) when given, else into a new array, which is returned.
   */
  private INDArray proj(int l, String module, INDArray dy, INDArray x, Map<String, INDArray> grads, INDArray into) {
    String name = "model.layers." + l + "." + module;
    if (model.trainsTensor(name + ".weight")) addProduct(grads, name + ".weight", dy, x);
    if (model.trainsTensor(name + ".bias") && model.bias(name + ".bias") != null) {
      model.grad(grads, name + ".bias", Ops.colSum(dy));
    }
    INDArray w = model.weight(name + ".weight"); // [out, in]
    INDArray dx = into != null ? into : Nd4j.createUninitialized(dy.dataType(), dy.size(0), w.size(1));
    Nd4j.gemm(dy, w, dx, false, false, 1.0, into != null ? 1.0 : 0.0);
    model.adapterBackward(name, x, dy, dx, grads);
    return dx;
  }

  /**
   * grads[name] += dy^T x in one gemm: into the existing gradient (beta 1), or into a new zeroed array outside every
   * workspace (gradients outlive the layer's scratch memory), instead of a product in the workspace copied out.
   */
  private static void addProduct(Map<String, INDArray> grads, String name, INDArray dy, INDArray x) {
    INDArray g = grads.get(name);
    if (g == null) {
      try (MemoryWorkspace none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        g = Nd4j.zeros(dy.dataType(), dy.size(1), x.size(1));
      }
      grads.put(name, g);
    }
    Nd4j.gemm(dy, x, g, true, false, 1.0, 1.0);
  }
}
