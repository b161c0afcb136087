package org.fspo.train.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.fspo.core.FspoUserException;
import org.fspo.train.FixtureRoots;
import org.fspo.train.io.SafeTensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Sharded weights: save_pretrained's split and index, read back bit for bit, and the fixture's two shards. */
class ModelWeightsTest {
  @TempDir Path tmp;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static INDArray ramp(int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) Math.sin(i * scale) * 3f; // not exact in BF16: rounding is exercised
    return Nd4j.create(v, new long[] {n}, 'c');
  }

  /** Five tensors of 40, 40, 120, 24 and 16 bytes. */
  private static LinkedHashMap<String, INDArray> tensors() {
    LinkedHashMap<String, INDArray> t = new LinkedHashMap<>();
    t.put("a.weight", ramp(10, 0.1f));
    t.put("b.weight", ramp(20, 0.2f)); // BF16 below: 40 bytes
    t.put("c.weight", ramp(30, 0.3f)); // 120 bytes, above the 64-byte limit: a shard of its own
    t.put("d.bias", ramp(6, 0.4f));
    t.put("e.bias", ramp(4, 0.5f));
    return t;
  }

  @Test
  void splitsAsHuggingfaceHubDoes() {
    Map<String, DType> dt = Map.of("b.weight", DType.BF16);
    // hand-computed with the hub's rule (limit 64): [a 40] + b 40 > 64 -> new; [b 40]; c 120 > 64 alone;
    // [b] + d 24 = 64, not above: stays; e 16 -> 80 > 64 -> new [e]
    List<List<String>> shards = ModelWeights.split(tensors(), dt, 64).stream()
        .map(m -> List.copyOf(m.keySet())).toList();
    assertEquals(List.of(List.of("a.weight"), List.of("c.weight"), List.of("b.weight", "d.bias"), List.of("e.bias")),
        shards);
    assertEquals(1, ModelWeights.split(tensors(), dt, 10_000).size());
  }

  @Test
  void shardedSaveWritesIndexAndReloadsBitForBit() throws Exception {
    Map<String, DType> dt = Map.of("b.weight", DType.BF16, "d.bias", DType.F16);
    Path dir = tmp.resolve("m");
    List<Path> files = ModelWeights.write(dir, tensors(), dt, 64);
    List<String> names = files.stream().map(p -> p.getFileName().toString()).toList();
    assertEquals(List.of("model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
        "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors", ModelWeights.INDEX), names);
    assertFalse(Files.exists(dir.resolve(ModelWeights.SINGLE)));
    JsonNode index = JSON.readTree(dir.resolve(ModelWeights.INDEX).toFile());
    assertEquals(40 + 40 + 120 + 12 + 16, index.get("metadata").get("total_size").asLong()); // b BF16, d F16
    assertEquals("model-00003-of-00004.safetensors", index.get("weight_map").get("d.bias").asText());
    List<String> keys = new ArrayList<>();
    index.get("weight_map").fieldNames().forEachRemaining(keys::add);
    assertEquals(List.copyOf(new TreeSet<>(keys)), keys, "sorted, as transformers writes it");

    ModelWeights back = ModelWeights.open(dir);
    assertEquals(dir.resolve(ModelWeights.INDEX), back.source());
    assertEquals(new TreeSet<>(tensors().keySet()), new TreeSet<>(back.names()));
    for (Map.Entry<String, INDArray> t : tensors().entrySet()) {
      SafeTensors.Tensor r = back.read(t.getKey());
      assertEquals(dt.getOrDefault(t.getKey(), DType.F32), r.dtype(), t.getKey());
      float[] want = t.getValue().toFloatVector();
      if (r.dtype() == DType.BF16) { // BF16 keeps the top 16 bits, rounded to nearest even
        for (int i = 0; i < want.length; i++) want[i] = SafeTensors.bf16ToFloat(SafeTensors.floatToBf16(want[i]));
      } else if (r.dtype() == DType.F16) {
        for (int i = 0; i < want.length; i++) want[i] = SafeTensors.f16ToFloat(SafeTensors.floatToF16(want[i]));
      }
      assertArrayEquals(want, r.array().toFloatVector(), t.getKey());
    }
    // saving the reloaded tensors again in their dtypes gives the same bytes: the round trip is bit for bit
    LinkedHashMap<String, INDArray> arrays = new LinkedHashMap<>();
    Map<String, DType> dtypes = new LinkedHashMap<>();
    for (String n : tensors().keySet()) {
      arrays.put(n, back.read(n).array());
      dtypes.put(n, back.read(n).dtype());
    }
    ModelWeights.write(tmp.resolve("again"), arrays, dtypes, 64);
    for (String f : names) {
      assertArrayEquals(Files.readAllBytes(dir.resolve(f)), Files.readAllBytes(tmp.resolve("again").resolve(f)), f);
    }
    // a save that fits in one file replaces the shards and the index
    ModelWeights.write(dir, tensors(), dt, 1L << 30);
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(ModelWeights.SINGLE), s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void hashOfOneFileIsThatFilesHashAndShardsHashTogether() throws Exception {
    ModelWeights.write(tmp.resolve("one"), tensors(), Map.of(), 1L << 30);
    assertEquals(org.fspo.train.loop.RefLogpCache.fileHash(tmp.resolve("one/model.safetensors")),
        ModelWeights.hash(tmp.resolve("one")));
    ModelWeights.write(tmp.resolve("s1"), tensors(), Map.of(), 64);
    ModelWeights.write(tmp.resolve("s2"), tensors(), Map.of(), 64);
    assertEquals(ModelWeights.hash(tmp.resolve("s1")), ModelWeights.hash(tmp.resolve("s2")));
    LinkedHashMap<String, INDArray> changed = tensors();
    changed.get("e.bias").putScalar(0, 42f);
    ModelWeights.write(tmp.resolve("s2"), changed, Map.of(), 64);
    assertFalse(ModelWeights.hash(tmp.resolve("s1")).equals(ModelWeights.hash(tmp.resolve("s2"))));
  }

  @Test
  void indexThatDisagreesWithItsShardsIsOneLine() throws Exception {
    Path dir = tmp.resolve("m");
    ModelWeights.write(dir, tensors(), Map.of(), 64);
    Path index = dir.resolve(ModelWeights.INDEX);
    String good = Files.readString(index);
    Files.writeString(index, good.replace("\"e.bias\" : \"model-00004-of-00004.safetensors\"",
        "\"e.bias\" : \"model-00001-of-00004.safetensors\""));
    FspoUserException e = assertThrows(FspoUserException.class, () -> ModelWeights.open(dir));
    assertTrue(e.getMessage().contains("tensor e.bias is not in " + dir.resolve("model-00001-of-00004.safetensors")),
        e.getMessage());
    Files.writeString(index, good.replace("model-00004-of-00004", "model-00009-of-00009"));
    e = assertThrows(FspoUserException.class, () -> ModelWeights.open(dir));
    assertTrue(e.getMessage().contains("tensor e.bias is in model-00009-of-00009.safetensors, which is missing"),
        e.getMessage());
    String dropped = good.replace("    \"d.bias\" : \"model-00003-of-00004.safetensors\",\n", "");
    assertFalse(dropped.equals(good));
    Files.writeString(index, dropped); // shard 3 still holds d.bias, which the map no longer lists
    e = assertThrows(FspoUserException.class, () -> ModelWeights.open(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("model-00003-of-00004.safetensors") + ": tensor d.bias is not in"),
        e.getMessage());
    Files.writeString(index, good.replace("model-00004-of-00004.safetensors", "../elsewhere.safetensors"));
    e = assertThrows(FspoUserException.class, () -> ModelWeights.open(dir));
    assertTrue(e.getMessage().contains("it must name a .safetensors file in the same folder"), e.getMessage());
    for (FspoUserException x : List.of(e)) assertFalse(x.getMessage().contains("\n"));
  }

  /** The sharded fixture (two shards and an index) reads as the same tensors its grads name, wherever it is. */
  @Test
  void readsTheShardedFixtures() {
    int sharded = 0;
    for (Path folder : FixtureRoots.modelFolders()) {
      Path policy = folder.resolve("policy");
      if (!Files.exists(policy.resolve(ModelWeights.INDEX))) continue;
      sharded++;
      ModelWeights w = ModelWeights.open(policy);
      assertTrue(new TreeSet<>(w.names().stream().map(w::fileOf).toList()).size() > 1, folder + " has shards");
      assertEquals(new TreeSet<>(SafeTensors.read(folder.resolve("grads.safetensors")).keySet()),
          new TreeSet<>(w.names()), folder.toString());
    }
    boolean archs = FixtureRoots.all().stream().anyMatch(r -> Files.isDirectory(r.resolve("llama3-sharded")));
    assertTrue(!archs || sharded > 0, "llama3-sharded/policy has an index");
  }
}
