package org.fspo.train.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fspo.core.FspoUserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RoPE frequencies against hand-computed values, and both config.json layouts. */
class RopeConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s.replace('\'', '"'));
  }

  private static void assertFreqs(double[] want, float[] got) {
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-6 * want[i], "inv_freq[" + i + "]");
    }
  }

  @Test
  void defaultAndLinearFrequencies() {
    // head_dim 8, theta 10000: inv_freq[i] = 10000^(-2i/8) = 1, 0.1, 0.01, 0.001
    assertFreqs(new double[] {1, 0.1, 0.01, 0.001}, RopeConfig.standard(10000).invFreq(8));
    // linear divides every frequency by factor 4
    assertFreqs(new double[] {0.25, 0.025, 0.0025, 0.00025},
        new RopeConfig("linear", 10000, 4.0, null, null, null).invFreq(8));
  }

  @Test
  void llama3FrequenciesByHand() {
    // factor 8, low_freq_factor 1, high_freq_factor 4, original_max_position_embeddings 1024:
    // low_wl = 1024 / 1 = 1024, high_wl = 1024 / 4 = 256; wavelen = 2 pi / inv_freq = 6.28, 62.8, 628.3, 6283.2
    //   i=0, 1: wavelen < 256, kept: 1, 0.1
    //   i=2: 256 <= 628.3 <= 1024, smooth s = (1024 / 628.3185 - 1) / (4 - 1) = 0.2099155,
    //        (1 - s) * 0.01 / 8 + s * 0.01 = 0.01 * (0.125 + 0.875 s) = 0.003086761
    //   i=3: wavelen > 1024, divided by 8: 0.000125
    RopeConfig r = new RopeConfig("llama3", 10000, 8.0, 1.0, 4.0, 1024);
    assertFreqs(new double[] {1, 0.1, 0.003086761, 0.000125}, r.invFreq(8));
  }

  @Test
  void bothLayoutsAndTheOlderTypeKeyReadTheSame() throws Exception {
    RopeConfig want = new RopeConfig("llama3", 500000, 32.0, 1.0, 4.0, 8192);
    String scaling = "'factor': 32.0, 'low_freq_factor': 1.0, 'high_freq_factor': 4.0, "
        + "'original_max_position_embeddings': 8192";
    assertEquals(want, RopeConfig.fromJson(json("{'rope_theta': 500000.0, 'rope_scaling': {'rope_type': 'llama3', "
        + scaling + "}}"), 10000));
    assertEquals(want, RopeConfig.fromJson(json("{'rope_theta': 500000.0, 'rope_scaling': {'type': 'llama3', "
        + scaling + "}}"), 10000));
    assertEquals(want, RopeConfig.fromJson(json("{'rope_parameters': {'rope_theta': 500000.0, 'rope_type': 'llama3', "
        + scaling + "}}"), 10000));
    assertEquals(RopeConfig.standard(1e6), RopeConfig.fromJson(json("{'rope_theta': 1e6, 'rope_scaling': null}"), 1e4));
    assertEquals(RopeConfig.standard(1e4), RopeConfig.fromJson(json("{}"), 1e4));
    // what writeTo writes reads back the same, from either layout
    ObjectNode out = JSON.createObjectNode();
    want.writeTo(out, JSON);
    assertEquals(want, RopeConfig.fromJson(out, 10000));
    out.remove("rope_parameters");
    assertEquals(want, RopeConfig.fromJson(out, 10000));
  }

  @ParameterizedTest
  @ValueSource(strings = {"yarn", "longrope", "dynamic", "su"})
  void otherTypesAreOneLineErrorsNamingTheType(String type) throws Exception {
    for (String cfg : new String[] {"{'rope_scaling': {'rope_type': '" + type + "', 'factor': 4.0}}",
        "{'rope_parameters': {'rope_theta': 1e4, 'rope_type': '" + type + "', 'factor': 4.0}}"}) {
      FspoUserException e = assertThrows(FspoUserException.class, () -> RopeConfig.fromJson(json(cfg), 1e4));
      assertTrue(e.getMessage().contains("rope_type " + type) && !e.getMessage().contains("\n"), e.getMessage());
      assertEquals(FspoUserException.CONFIG, e.exitCode());
    }
  }

  @Test
  void ropePerLayerTypeIsRefusedNotReadAsDefault() throws Exception {
    FspoUserException e = assertThrows(FspoUserException.class, () -> RopeConfig.fromJson(json("{'rope_parameters': "
        + "{'full_attention': {'rope_type': 'llama3', 'factor': 8.0}, 'sliding_attention': {'rope_type': 'default'}}}"),
        1e4));
    assertTrue(e.getMessage().contains("rope_parameters holds one RoPE per layer type"), e.getMessage());
  }

  @Test
  void llama3WithoutItsKeysIsAnErrorNamingTheKey() throws Exception {
    FspoUserException e = assertThrows(FspoUserException.class, () -> RopeConfig.fromJson(
        json("{'rope_scaling': {'rope_type': 'llama3', 'factor': 8.0, 'low_freq_factor': 1.0, "
            + "'high_freq_factor': 4.0}}"), 1e4));
    assertTrue(e.getMessage().contains("rope_scaling.original_max_position_embeddings"), e.getMessage());
  }
}
