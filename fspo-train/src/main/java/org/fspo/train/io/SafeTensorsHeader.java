package org.fspo.train.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.core.FspoUserException;

/**
 * The validated header of one safetensors file: an 8-byte little-endian length N, then N bytes of UTF-8 JSON
 * {@code {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}}}; tensor bytes follow, offsets
 * counted from the end of the header. Everything a reader later trusts is checked here, before any tensor is read, so
 * a corrupt, truncated or hostile file gives one line naming the file and the tensor, never an OutOfMemoryError,
 * an NPE or garbage weights:
 *
 * <ul>
 *   <li>the length prefix is present, at most 100,000,000 (the safetensors crate's own limit) and within the file;</li>
 *   <li>the header is UTF-8 JSON, an object, without duplicate names;</li>
 *   <li>each tensor has a dtype the format defines, a shape of non-negative integers whose product does not
 *       overflow, and two integer data_offsets with 0 <= begin <= end and end - begin = product(shape) * dtype size;
 *   <li>no two tensors' byte ranges overlap, and every range lies within the file: a file shorter than its header
 *       declares is reported as truncated, with the declared and the actual sizes.</li>
 * </ul>
 *
 * Gaps between tensors are tolerated (the format's writers never leave any, but they do no harm to a reader).
 */
public record SafeTensorsHeader(Path file, long dataStart, long dataBytes, LinkedHashMap<String, Entry> tensors) {
  /** The safetensors crate's MAX_HEADER_SIZE. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Element sizes in bytes of every dtype the format defines (safetensors' Dtype enum, sub-byte FP4/FP6 excluded). */
  private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(Map.entry("BOOL", 1), Map.entry("U8", 1),
      Map.entry("I8", 1), Map.entry("F8_E5M2", 1), Map.entry("F8_E4M3", 1), Map.entry("F8_E8M0", 1),
      Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2), Map.entry("BF16", 2), Map.entry("I32", 4),
      Map.entry("U32", 4), Map.entry("F32", 4), Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8));

  /**
   * One tensor's header entry; offsets are relative to {@link #dataStart}.
   *
   * @param dtype the format's dtype name (F32, BF16, ...); {@link SafeTensors.DType} says which ones can be read
   */
  public record Entry(String name, String dtype, long[] shape, long begin, long end) {
    public long elements() {
      long n = 1;
      for (long d : shape) n *= d;
      return n;
    }
  }

  /** Reads and validates the header of {@code file}; reads no tensor data. */
  public static SafeTensorsHeader read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return read(file, ch);
    } catch (IOException e) {
      throw new FspoUserException(file + ": cannot read safetensors (" + e.getMessage() + ")",
          FspoUserException.NO_INPUT);
    }
  }

  static SafeTensorsHeader read(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < 8) {
      throw bad(file, "is truncated: " + size + " bytes, less than the 8-byte header length");
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    SafeTensors.readFully(ch, lenBuf, 0);
    long headerLen = lenBuf.flip().getLong();
    if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
      throw bad(file, "is not a safetensors file: its first 8 bytes give a header length of " + headerLen
          + " (a JSON header of 2 to " + MAX_HEADER_BYTES + " bytes is expected)");
    }
    if (8 + headerLen > size) {
      throw bad(file, "is truncated: its header declares " + (8 + headerLen) + " bytes of length and JSON, the file "
          + "holds " + size + " bytes");
    }
    ByteBuffer raw = ByteBuffer.allocate((int) headerLen);
    SafeTensors.readFully(ch, raw, 8);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(raw.flip()).toString();
    } catch (CharacterCodingException e) {
      throw bad(file, "has a header that is not UTF-8 text");
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw bad(file, "has a header that is not valid JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) throw bad(file, "has a header that is not a JSON object");
    long dataStart = 8 + headerLen;
    return new SafeTensorsHeader(file, dataStart, size - dataStart, entries(file, root, size - dataStart));
  }

  private static LinkedHashMap<String, Entry> entries(Path file, JsonNode root, long dataBytes) {
    LinkedHashMap<String, Entry> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        if (!e.getValue().isObject()) throw bad(file, "has a __metadata__ that is not a JSON object");
        continue;
      }
      out.put(e.getKey(), entry(file, e.getKey(), e.getValue()));
    }
    List<Entry> byBegin = new ArrayList<>(out.values());
    byBegin.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    for (Entry t : byBegin) {
      if (t.end() > dataBytes) {
        throw bad(file, "is truncated: tensor " + t.name() + " ends at byte " + t.end() + " of the data, which the "
            + "header declares as at least " + byBegin.stream().mapToLong(Entry::end).max().orElse(0)
            + " bytes; the file holds " + dataBytes + " bytes after the header. Download or save it again");
      }
    }
    for (int i = 1; i < byBegin.size(); i++) {
      Entry prev = byBegin.get(i - 1), t = byBegin.get(i);
      if (t.begin() < prev.end()) {
        throw bad(file, "is corrupt: tensor " + t.name() + " (bytes " + t.begin() + ".." + t.end()
            + ") overlaps tensor " + prev.name() + " (bytes " + prev.begin() + ".." + prev.end() + ")");
      }
    }
    return out;
  }

  private static Entry entry(Path file, String name, JsonNode spec) {
    String at = "tensor " + name;
    if (!spec.isObject()) throw bad(file, "is corrupt: " + at + " is not a JSON object");
    JsonNode dtypeNode = spec.get("dtype"), shapeNode = spec.get("shape"), offsets = spec.get("data_offsets");
    if (dtypeNode == null || !dtypeNode.isTextual()) throw bad(file, "is corrupt: " + at + " has no dtype");
    Integer bytes = DTYPE_BYTES.get(dtypeNode.asText());
    if (bytes == null) {
      throw bad(file, "is corrupt: " + at + " has unknown dtype " + dtypeNode + "; the format defines "
          + new java.util.TreeSet<>(DTYPE_BYTES.keySet()));
    }
    if (shapeNode == null || !shapeNode.isArray()) throw bad(file, "is corrupt: " + at + " has no shape array");
    long[] shape = new long[shapeNode.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToExactIntegral() || !d.canConvertToLong() || d.asLong() < 0) {
        throw bad(file, "is corrupt: " + at + " has shape " + shapeNode + "; dimensions must be integers >= 0");
      }
      shape[i] = d.asLong();
      try {
        count = Math.multiplyExact(count, shape[i]);
      } catch (ArithmeticException overflow) {
        throw bad(file, "is corrupt: " + at + " has shape " + shapeNode + ", more elements than a long can count");
      }
    }
    if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
      throw bad(file, "is corrupt: " + at + " has no data_offsets [begin, end]");
    }
    for (JsonNode o : offsets) {
      if (!o.canConvertToExactIntegral() || !o.canConvertToLong() || o.asLong() < 0) {
        throw bad(file, "is corrupt: " + at + " has data_offsets " + offsets + "; they must be integers >= 0");
      }
    }
    long begin = offsets.get(0).asLong(), end = offsets.get(1).asLong();
    if (end < begin) {
      throw bad(file, "is corrupt: " + at + " has data_offsets " + offsets + " that end before they begin");
    }
    if (count > Long.MAX_VALUE / bytes || end - begin != count * bytes) {
      throw bad(file, "is corrupt: " + at + " has data_offsets " + offsets + " spanning " + (end - begin)
          + " bytes, but shape " + shapeNode + " of " + dtypeNode.asText() + " needs " + count + " x " + bytes);
    }
    return new Entry(name, dtypeNode.asText(), shape, begin, end);
  }

  private static FspoUserException bad(Path file, String what) {
    return new FspoUserException((file + " " + what).replaceAll("\\s*\\R\\s*", " "), FspoUserException.DATA);
  }
}
