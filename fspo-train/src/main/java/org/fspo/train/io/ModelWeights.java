package org.fspo.train.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.fspo.core.FspoUserException;
import org.fspo.train.io.SafeTensors.DType;
import org.fspo.train.io.SafeTensors.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weights of a Hugging Face model folder, as {@code save_pretrained} writes them: one {@code model.safetensors},
 * or, above the shard size, {@code model-00001-of-0000M.safetensors} ... with {@code model.safetensors.index.json}
 * = {@code {"metadata": {"total_size": bytes}, "weight_map": {tensor: shard file}}}. {@link #open} validates every
 * file's header and the index against the shards before any tensor is read; {@link #read} then reads one tensor.
 *
 * <p>Sharding follows huggingface_hub's {@code split_torch_state_dict_into_shards}: tensors in order, a new shard
 * when the next tensor would take the current one over the limit, a tensor larger than the limit alone in its own.
 */
public final class ModelWeights {
  public static final String SINGLE = "model.safetensors", INDEX = "model.safetensors.index.json";
  /** transformers' shard names: model-00001-of-00003.safetensors. */
  private static final String SHARD_PATTERN = "model-\\d{5}-of-\\d{5}\\.safetensors";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final Path source;
  private final LinkedHashMap<String, SafeTensorsHeader> headerOf = new LinkedHashMap<>();

  private ModelWeights(Path dir, Path source) {
    this.dir = dir;
    this.source = source;
  }

  /** True when the folder holds model.safetensors or a sharded index. */
  public static boolean present(Path dir) {
    return Files.isRegularFile(dir.resolve(SINGLE)) || Files.isRegularFile(dir.resolve(INDEX));
  }

  /** The file that describes the weights: model.safetensors, or the index when sharded. */
  public Path source() {
    return source;
  }

  /** Opens a folder's weights: model.safetensors, else the index and its shards; all headers validated. */
  public static ModelWeights open(Path dir) {
    if (Files.isRegularFile(dir.resolve(SINGLE))) {
      ModelWeights w = new ModelWeights(dir, dir.resolve(SINGLE));
      SafeTensorsHeader h = SafeTensorsHeader.read(w.source);
      for (String name : h.tensors().keySet()) w.headerOf.put(name, h);
      return w;
    }
    Path index = dir.resolve(INDEX);
    if (!Files.isRegularFile(index)) {
      throw new FspoUserException(dir + ": no " + SINGLE + " or " + INDEX + "; save the model with "
          + "save_pretrained(..., safe_serialization=True)", FspoUserException.NO_INPUT);
    }
    ModelWeights w = new ModelWeights(dir, index);
    w.readIndex();
    return w;
  }

  private void readIndex() {
    JsonNode map;
    try {
      map = JSON.readTree(source.toFile()).path("weight_map");
    } catch (IOException e) {
      throw new FspoUserException(source + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    if (!map.isObject() || map.isEmpty()) throw new FspoUserException(source + ": no weight_map {tensor: file}");
    Map<String, SafeTensorsHeader> shards = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String file = e.getValue().asText("");
      if (!e.getValue().isTextual() || file.isEmpty() || file.contains("/") || file.contains("\\")
          || file.startsWith(".")) {
        throw new FspoUserException(source + ": weight_map gives tensor " + e.getKey() + " the file "
            + e.getValue() + "; it must name a .safetensors file in the same folder");
      }
      if (!Files.isRegularFile(dir.resolve(file))) {
        throw new FspoUserException(source + ": tensor " + e.getKey() + " is in " + file
            + ", which is missing from " + dir, FspoUserException.NO_INPUT);
      }
      SafeTensorsHeader h = shards.computeIfAbsent(file, f -> SafeTensorsHeader.read(dir.resolve(f)));
      if (!h.tensors().containsKey(e.getKey())) {
        throw new FspoUserException(source + ": tensor " + e.getKey() + " is not in " + h.file()
            + ", where the weight_map puts it");
      }
      headerOf.put(e.getKey(), h);
    }
    for (SafeTensorsHeader h : shards.values()) {
      for (String name : h.tensors().keySet()) {
        if (headerOf.get(name) != h) {
          throw new FspoUserException(h.file() + ": tensor " + name + " is not in " + source
              + "'s weight_map (or the map puts it in another shard); the index and its shards disagree");
        }
      }
    }
  }

  /** Every tensor name, in file (and shard) order. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    new LinkedHashSet<>(headerOf.values()).forEach(h -> out.addAll(h.tensors().keySet()));
    return out;
  }

  /** The validated header entry of a tensor, or null. */
  public SafeTensorsHeader.Entry entry(String name) {
    SafeTensorsHeader h = headerOf.get(name);
    return h == null ? null : h.tensors().get(name);
  }

  /** The file holding a tensor (null when absent). */
  public Path fileOf(String name) {
    SafeTensorsHeader h = headerOf.get(name);
    return h == null ? null : h.file();
  }

  /** The dtype a tensor would be read as; a one-line error naming it and its file when unsupported. */
  public DType dtype(String name) {
    SafeTensorsHeader h = headerOf.get(name);
    return SafeTensors.dtypeOf(h, h.tensors().get(name));
  }

  /** Reads one tensor from its file. */
  public Tensor read(String name) {
    SafeTensorsHeader h = headerOf.get(name);
    if (h == null) throw new FspoUserException(source + ": tensor " + name + " is missing");
    try (FileChannel ch = FileChannel.open(h.file(), StandardOpenOption.READ)) {
      return SafeTensors.readTensor(h, ch, h.tensors().get(name));
    } catch (IOException e) {
      throw new FspoUserException(h.file() + ": cannot read tensor " + name + " (" + e.getMessage() + ")");
    }
  }

  /** Every tensor, in {@link #names} order. */
  public LinkedHashMap<String, Tensor> readAll() {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    for (String name : names()) out.put(name, read(name));
    return out;
  }

  /**
   * Writes the tensors (each in {@code dtypes}' type, F32 when absent) into {@code dir}: one model.safetensors when
   * they fit in {@code maxShardBytes}, else shards and an index. Stale weight files of another layout in the folder
   * are removed afterwards, so the folder never holds two disagreeing sets. Returns the files written.
   */
  public static List<Path> write(Path dir, Map<String, INDArray> tensors, Map<String, DType> dtypes,
      long maxShardBytes) {
    List<Map<String, INDArray>> shards = split(tensors, dtypes, maxShardBytes);
    List<Path> written = new ArrayList<>();
    TreeMap<String, String> weightMap = new TreeMap<>(); // transformers writes the index with sort_keys=True
    long total = 0;
    for (int i = 0; i < shards.size(); i++) {
      String name = shards.size() == 1 ? SINGLE
          : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
      Path file = dir.resolve(name);
      SafeTensors.write(file, shards.get(i), dtypes);
      written.add(file);
      for (Map.Entry<String, INDArray> t : shards.get(i).entrySet()) {
        weightMap.put(t.getKey(), name);
        total += bytes(t.getValue(), dtypes.getOrDefault(t.getKey(), DType.F32));
      }
    }
    if (shards.size() > 1) {
      ObjectNode index = JSON.createObjectNode();
      index.putObject("metadata").put("total_size", total);
      ObjectNode map = index.putObject("weight_map");
      weightMap.forEach(map::put);
      Path file = dir.resolve(INDEX), tmp = dir.resolve(INDEX + ".tmp");
      try {
        Files.writeString(tmp, JSON.writeValueAsString(index) + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new FspoUserException(file + ": cannot write (" + e.getMessage() + ")", FspoUserException.CANT_CREATE);
      }
      written.add(file);
    }
    removeStale(dir, written);
    return written;
  }

  /** huggingface_hub's greedy split, in map order. */
  static List<Map<String, INDArray>> split(Map<String, INDArray> tensors, Map<String, DType> dtypes, long max) {
    if (max <= 0) throw new IllegalArgumentException("max shard size must be positive, got " + max);
    List<Map<String, INDArray>> shards = new ArrayList<>();
    Map<String, INDArray> current = new LinkedHashMap<>();
    long size = 0;
    for (Map.Entry<String, INDArray> t : tensors.entrySet()) {
      long b = bytes(t.getValue(), dtypes.getOrDefault(t.getKey(), DType.F32));
      if (b > max) { // a tensor above the limit gets a shard of its own
        shards.add(Map.of(t.getKey(), t.getValue()));
        continue;
      }
      if (size + b > max && !current.isEmpty()) {
        shards.add(current);
        current = new LinkedHashMap<>();
        size = 0;
      }
      current.put(t.getKey(), t.getValue());
      size += b;
    }
    if (!current.isEmpty() || shards.isEmpty()) shards.add(current);
    return shards;
  }

  private static long bytes(INDArray a, DType dt) {
    return a.length() * dt.bytes;
  }

  private static void removeStale(Path dir, List<Path> keep) {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        boolean weights = n.equals(SINGLE) || n.equals(INDEX) || n.matches(SHARD_PATTERN);
        if (weights && !keep.contains(p)) Files.delete(p);
      }
    } catch (IOException e) {
      throw new FspoUserException(dir + ": cannot remove old weight files (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }

  /**
   * First 16 hex digits of a SHA-256 that names a folder's weights: of model.safetensors' bytes (as before sharding
   * existed, so old reference caches stay valid), or of the index followed by each shard in name order.
   */
  public static String hash(Path dir) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      List<Path> files = new ArrayList<>();
      if (Files.isRegularFile(dir.resolve(SINGLE))) {
        files.add(dir.resolve(SINGLE));
      } else {
        files.add(dir.resolve(INDEX));
        try (Stream<Path> s = Files.list(dir)) {
          s.filter(p -> p.getFileName().toString().matches(SHARD_PATTERN)).sorted().forEach(files::add);
        }
      }
      byte[] buf = new byte[1 << 16];
      for (Path f : files) {
        try (var in = Files.newInputStream(f)) {
          for (int r; (r = in.read(buf)) > 0; ) sha.update(buf, 0, r);
        }
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
