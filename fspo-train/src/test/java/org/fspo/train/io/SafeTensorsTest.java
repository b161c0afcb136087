package org.fspo.train.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.fspo.core.FspoUserException;
import org.fspo.train.FixtureRoots;
import org.fspo.train.io.SafeTensors.DType;
import org.fspo.train.io.SafeTensors.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SafeTensorsTest {
  @TempDir Path tmp;

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

  /**
   * Every model folder under every fixture root: the policy's weights (one file or shards) hold exactly the tensors
   * grads.safetensors has a gradient for (the adapter's, for a LoRA fixture), the embedding is [vocab_size, hidden]
   * as config.json says, and every value equals what a plain-Java decoding of the file's bytes gives.
   */
  @Test
  void readsEveryFixtureFolderAsItsOwnFilesDescribeIt() throws Exception {
    List<Path> folders = FixtureRoots.modelFolders();
    assertFalse(folders.isEmpty(), "the fixture roots hold model folders");
    for (Path folder : folders) {
      Path policy = folder.resolve("policy");
      ModelWeights weights = ModelWeights.open(policy);
      Set<String> gradNames = SafeTensors.read(folder.resolve("grads.safetensors")).keySet();
      Path adapter = folder.resolve("adapter/adapter_model.safetensors");
      Set<String> trained = Files.exists(adapter) ? SafeTensors.read(adapter).keySet() : Set.copyOf(weights.names());
      assertEquals(new TreeSet<>(gradNames), new TreeSet<>(trained), folder + ": tensors with a gradient");
      JsonNode config = new ObjectMapper().readTree(policy.resolve("config.json").toFile());
      long vocab = config.get("vocab_size").asLong();
      long hidden = config.has("n_embd") ? config.get("n_embd").asLong() : config.get("hidden_size").asLong();
      String embed = weights.entry("transformer.wte.weight") != null ? "transformer.wte.weight"
          : weights.entry("wte.weight") != null ? "wte.weight" : "model.embed_tokens.weight";
      assertArrayEquals(new long[] {vocab, hidden}, weights.entry(embed).shape(), folder + ": " + embed);
      for (String name : weights.names()) {
        float[] expected = oracle(weights.fileOf(name), name);
        INDArray read = weights.read(name).array();
        assertArrayEquals(expected, Nd4j.toFlattened('c', read).toFloatVector(), folder + ": " + name);
      }
    }
  }

  /** Plain-Java decoding of one F32 or BF16 tensor straight from the bytes, for comparison with the reader. */
  private static float[] oracle(Path file, String name) throws Exception {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int headerLen = (int) b.getLong(0);
    JsonNode spec = new ObjectMapper().readTree(new String(all, 8, headerLen, StandardCharsets.UTF_8)).get(name);
    int begin = 8 + headerLen + spec.get("data_offsets").get(0).asInt();
    int end = 8 + headerLen + spec.get("data_offsets").get(1).asInt();
    String dtype = spec.get("dtype").asText();
    int size = dtype.equals("F32") ? 4 : 2;
    float[] out = new float[(end - begin) / size];
    for (int i = 0; i < out.length; i++) {
      out[i] = switch (dtype) {
        case "F32" -> b.getFloat(begin + 4 * i);
        case "BF16" -> Float.intBitsToFloat((b.getShort(begin + 2 * i) & 0xffff) << 16);
        default -> throw new AssertionError(file + ": the oracle reads F32 and BF16 fixtures, not " + dtype);
      };
    }
    return out;
  }

  /** Hand-written headers, each broken in one way, with valid data bytes after them. */
  static Stream<Arguments> malformed() {
    String x = "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    return Stream.of(
        Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", "tensor w has no data_offsets"),
        Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "tensor w has shape [-2]"),
        Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", "tensor w has shape [2.5]"),
        Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", "tensor w has data_offsets [-8,0]"),
        Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "tensor w has data_offsets [8,0] that end"),
        Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "tensor w has data_offsets [0,8] spanning 8"),
        Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", "tensor w has no data_offsets"),
        Arguments.of("{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", "tensor w has unknown dtype \"Q4\""),
        Arguments.of("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "tensor w has no dtype"),
        Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}",
            "tensor w has shape [4294967296,4294967296], more elements"),
        Arguments.of("{" + x + ",\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            "tensor w (bytes 4..12) overlaps tensor x"),
        Arguments.of("{" + x + ",\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
            "is truncated: tensor w ends at byte 24 of the data, which the header declares as at least 24 bytes; "
                + "the file holds 16 bytes"),
        Arguments.of("{" + x + "," + x + "}", "Duplicate field 'x'"),
        Arguments.of("{\"x\": [1, 2", "not valid JSON"),
        Arguments.of("[1, 2]", "not a JSON object"),
        Arguments.of("{\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}",
            "tensor w has dtype F64, which this reader does not support"));
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void malformedHeaderIsOneLineNamingTheFileAndTheTensor(String header, String expected) throws Exception {
    Path file = tmp.resolve("bad.safetensors");
    Files.write(file, bytes(header, new byte[16]));
    FspoUserException e = assertThrows(FspoUserException.class, () -> SafeTensors.read(file));
    assertOneLine(e, file, expected);
  }

  @Test
  void truncatedOrForeignFilesSayWhatIsWrong() throws Exception {
    Path file = tmp.resolve("t.safetensors");
    byte[] whole = bytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[16]);
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 6)); // cut in the data
    FspoUserException e = assertThrows(FspoUserException.class, () -> SafeTensors.read(file));
    assertOneLine(e, file, "is truncated: tensor x ends at byte 16 of the data, which the header declares as at "
        + "least 16 bytes; the file holds 10 bytes after the header");
    Files.write(file, java.util.Arrays.copyOf(whole, 30)); // cut in the header
    e = assertThrows(FspoUserException.class, () -> SafeTensors.read(file));
    assertOneLine(e, file, "is truncated: its header declares " + (whole.length - 16) + " bytes of length and JSON, "
        + "the file holds 30 bytes");
    Files.write(file, new byte[5]);
    e = assertThrows(FspoUserException.class, () -> SafeTensors.read(file));
    assertOneLine(e, file, "is truncated: 5 bytes, less than the 8-byte header length");
    // a length of 2^62 (an attacker's or a random file's): refused before any allocation
    ByteBuffer huge = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 62);
    Files.write(file, huge.array());
    e = assertThrows(FspoUserException.class, () -> SafeTensors.read(file));
    assertOneLine(e, file, "is not a safetensors file: its first 8 bytes give a header length of " + (1L << 62));
    Files.writeString(file, "PK\u0003\u0004 a zip file, perhaps a pytorch_model.bin");
    e = assertThrows(FspoUserException.class, () -> SafeTensors.read(file));
    assertOneLine(e, file, "is not a safetensors file");
  }

  private static void assertOneLine(FspoUserException e, Path file, String expected) {
    String msg = e.getMessage();
    assertTrue(msg.startsWith(file.toString()), "names the file: " + msg);
    assertTrue(msg.contains(expected), "says '" + expected + "': " + msg);
    assertFalse(msg.contains("\n") || msg.contains("\r"), "one line: " + msg);
    assertEquals(FspoUserException.DATA, e.exitCode(), msg);
  }

  @Test
  void largeTensorsCrossChunkBoundariesIntact() {
    int n = SafeTensors.CHUNK + 1000; // one full chunk and a partial one
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = ((i % 255) - 127) * 0.5f; // at most 8 significant bits: exact in BF16
    INDArray a = Nd4j.create(v, new long[] {n / 8, 8}, 'c');
    for (DType dt : new DType[] {DType.F32, DType.BF16}) {
      Path file = tmp.resolve("big-" + dt + ".safetensors");
      SafeTensors.write(file, Map.of("big", a), Map.of("big", dt));
      Tensor t = SafeTensors.read(file).get("big");
      assertEquals(dt, t.dtype());
      assertEquals(a, t.array(), dt.name());
    }
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
