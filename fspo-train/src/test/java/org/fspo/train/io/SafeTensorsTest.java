package org.fspo.train.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.SafeTensors.DType;
import org.fspo.train.io.SafeTensors.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SafeTensorsTest {
  @TempDir Path tmp;

  static Path fixtures() {
    return Path.of(System.getProperty("fspo.hf.fixtures", "../../shared/fixtures/hf").split(",")[0].trim());
  }

  @Test
  void roundTripKeepsNamesOrderShapesValuesAndDtypes() throws Exception {
    LinkedHashMap<String, INDArray> in = new LinkedHashMap<>();
    in.put("b.weight", Nd4j.create(new float[] {1.5f, -2.25f, 3e-3f, 7f, 0f, -0f}, new long[] {2, 3}, 'c'));
    in.put("a.bias", Nd4j.create(new float[] {0.1f, 0.2f, 0.3f}, new long[] {3}, 'c'));
    in.put("c.half", Nd4j.create(new float[] {1f, -2f, 0.5f, 65504f}, new long[] {4}, 'c'));
    Path file = tmp.resolve("m.safetensors");
    SafeTensors.write(file, in, Map.of("c.half", DType.F16));
    LinkedHashMap<String, Tensor> out = SafeTensors.read(file);
    assertEquals(java.util.List.of("b.weight", "a.bias", "c.half"), java.util.List.copyOf(out.keySet()));
    assertEquals(in.get("b.weight"), out.get("b.weight").array());
    assertEquals(in.get("a.bias"), out.get("a.bias").array());
    assertEquals(in.get("c.half"), out.get("c.half").array()); // all four are exact in half precision
    assertEquals(DType.F32, out.get("a.bias").dtype());
    assertEquals(DType.F16, out.get("c.half").dtype());
    assertTrue(Files.notExists(tmp.resolve("m.safetensors.tmp")));
    long headerLen = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLen % 8);
    String header = new String(Files.readAllBytes(file), 8, (int) headerLen, StandardCharsets.UTF_8);
    assertTrue(header.contains("\"__metadata__\":{\"format\":\"pt\"}"), header);
  }

  @Test
  void widensBf16AndF16FromHandWrittenBytes() throws Exception {
    // bf16 0x3FC0 = 0 01111111 1000000 = 1.5; 0xC020 = -(1 + 1/4) * 2^1 = -2.5
    // f16 0x3C00 = 1.0; 0xC000 = -2.0; 0x3555 = (1 + 341/1024) * 2^-2 = 0.333251953125;
    // 0x0001 = 2^-24 (smallest subnormal); 0x7C00 = +inf
    String header = "{\"x\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},"
        + "\"y\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[4,14]},"
        + "\"z\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[14,30]}}";
    ByteBuffer data = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
    for (int s : new int[] {0x3FC0, 0xC020, 0x3C00, 0xC000, 0x3555, 0x0001, 0x7C00}) data.putShort((short) s);
    data.putLong(-3L).putLong(1L << 40);
    Path file = tmp.resolve("h.safetensors");
    Files.write(file, bytes(header, data.array()));
    LinkedHashMap<String, Tensor> t = SafeTensors.read(file);
    assertArrayEquals(new float[] {1.5f, -2.5f}, t.get("x").array().toFloatVector());
    assertArrayEquals(new float[] {1f, -2f, 0.333251953125f, 0x1p-24f, Float.POSITIVE_INFINITY},
        t.get("y").array().toFloatVector());
    assertEquals(DType.BF16, t.get("x").dtype());
    assertEquals(DataType.LONG, t.get("z").array().dataType());
    assertArrayEquals(new long[] {-3L, 1L << 40}, t.get("z").array().toLongVector());
  }

  @Test
  void bf16AndF16EncodersRoundToNearestEven() {
    assertEquals((short) 0x3FC0, SafeTensors.floatToBf16(1.5f));
    // 1 + 2^-8 is exactly halfway between bf16 1.0 and 1 + 2^-7: ties to the even mantissa, 1.0
    assertEquals((short) 0x3F80, SafeTensors.floatToBf16(1f + 0x1p-8f));
    assertEquals((short) 0x3F81, SafeTensors.floatToBf16(1f + 0x1p-8f + 0x1p-20f));
    assertEquals((short) 0x3555, SafeTensors.floatToF16(0.333251953125f));
    assertEquals((short) 0x3C00, SafeTensors.floatToF16(1f + 0x1p-11f)); // halfway, ties to even
    assertEquals((short) 0x3C01, SafeTensors.floatToF16(1f + 0x1p-11f + 0x1p-20f));
    assertEquals((short) 0x0001, SafeTensors.floatToF16(0x1p-24f));
    assertEquals((short) 0x7C00, SafeTensors.floatToF16(1e6f));
    assertEquals((short) 0xC000, SafeTensors.floatToF16(-2f));
  }

  @Test
  void readsTheSharedFixtureFiles() {
    LinkedHashMap<String, Tensor> gpt2 = SafeTensors.read(fixtures().resolve("gpt2/policy/model.safetensors"));
    assertEquals(28, gpt2.size());
    INDArray wte = gpt2.get("transformer.wte.weight").array();
    assertArrayEquals(new long[] {320, 64}, wte.shape());
    // values read independently with Python's struct module
    assertEquals(-0.1116783618927002f, wte.getFloat(0, 0));
    assertEquals(0.09578455239534378f, wte.getFloat(0, 1));
    assertEquals(-0.11466524749994278f, wte.getFloat(319, 63));
    assertArrayEquals(new long[] {64, 192}, gpt2.get("transformer.h.0.attn.c_attn.weight").array().shape());
    LinkedHashMap<String, Tensor> grads = SafeTensors.read(fixtures().resolve("llama/grads.safetensors"));
    assertEquals(21, grads.size());
    assertArrayEquals(new long[] {32, 64}, grads.get("model.layers.0.self_attn.k_proj.weight").array().shape());
  }

  @Test
  void truncatedFileIsAOneLineUserError() throws Exception {
    Path file = tmp.resolve("bad.safetensors");
    Files.write(file, bytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]));
    FspoUserException e = assertThrows(FspoUserException.class, () -> SafeTensors.read(file));
    assertTrue(e.getMessage().contains("tensor x"), e.getMessage());
  }

  private static byte[] bytes(String header, byte[] data) throws Exception {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
    out.write(h);
    out.write(data);
    return out.toByteArray();
  }
}
