package org.fspo.train.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fspo.train.model.Ops;
import org.fspo.train.model.TokenBatch;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The backward pass of the features no HF fixture covers (Llama's attention_bias and mlp_bias), together with a
 * head_dim other than hidden / heads, GQA 4:1 and llama3 RoPE scaling: the directional derivative of a weighted sum
 * of sequence log-probs along a random direction, per tensor, against a central finite difference.
 */
class LlamaModelTest {
  private static final TokenBatch BATCH = new TokenBatch(
      new int[][] {{3, 7, 9, 11, 4, 5, 0}, {3, 7, 9, 2, 8, 6, 1}},
      new int[][] {{1, 1, 1, 1, 1, 1, 0}, {1, 1, 1, 1, 1, 1, 1}},
      new int[][] {{0, 0, 0, 1, 1, 1, 0}, {0, 0, 0, 1, 1, 1, 1}});
  private static final double[] WEIGHTS = {1.0, -0.7};

  @Test
  void biasGradientsMatchFiniteDifferences() throws Exception {
    LlamaConfig c = LlamaConfigTest.config("'head_dim': 6, 'num_key_value_heads': 1, 'attention_bias': true, "
        + "'mlp_bias': true, 'max_position_embeddings': 32, 'initializer_range': 0.3, 'rope_scaling': {'rope_type': "
        + "'llama3', 'factor': 8.0, 'low_freq_factor': 1.0, 'high_freq_factor': 4.0, "
        + "'original_max_position_embeddings': 4}");
    LlamaModel m = LlamaModel.init(c, 11);
    Random rng = new Random(3);
    m.parameters().forEach((name, p) -> {
      if (name.endsWith(".bias")) p.assign(Ops.normal(rng, 0.3, p.shape())); // init makes them 0
    });
    Map<String, INDArray> grads = m.backward(m.forward(BATCH), WEIGHTS);
    String h = "model.layers.0.";
    for (String name : List.of(h + "self_attn.q_proj.bias", h + "self_attn.k_proj.bias", h + "self_attn.v_proj.bias",
        h + "self_attn.o_proj.bias", h + "mlp.gate_proj.bias", h + "mlp.up_proj.bias", h + "mlp.down_proj.bias",
        "model.layers.1.self_attn.k_proj.weight")) {
      INDArray p = m.parameters().get(name);
      INDArray dir = Ops.normal(rng, 1.0, p.shape());
      double analytic = grads.get(name).mul(dir).sumNumber().doubleValue();
      double eps = 1e-2;
      p.addi(dir.mul(eps));
      double plus = objective(m);
      p.subi(dir.mul(2 * eps));
      double minus = objective(m);
      p.addi(dir.mul(eps));
      double numeric = (plus - minus) / (2 * eps);
      assertEquals(numeric, analytic, 2e-3 + 1e-2 * Math.abs(numeric), name);
    }
  }

  private static double objective(LlamaModel m) {
    double[] s = m.forward(BATCH).seqLogps();
    return WEIGHTS[0] * s[0] + WEIGHTS[1] * s[1];
  }
}
