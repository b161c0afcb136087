package org.fspo.train.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {..}}, then
 * the raw little-endian tensor bytes. Floating tensors (F32, BF16, F16) are widened to float32 c-order INDArrays;
 * I64/I32 become LONG/INT arrays. The header's dtype is kept per tensor so a model can be saved back as it came.
 * Not supported: F64, I8/U8, BOOL and the FP8 types (a one-line error names the tensor).
 */
public final class SafeTensors {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The element types this reader understands, with their safetensors names and sizes in bytes. */
  public enum DType {
    F32(4), BF16(2), F16(2), I64(8), I32(4);

    public final int bytes;

    DType(int bytes) {
      this.bytes = bytes;
    }
  }

  /** One tensor as read: float32 (or LONG/INT for integer dtypes) c-order values, and the dtype in the file. */
  public record Tensor(INDArray array, DType dtype) {}

  private SafeTensors() {}

  /** All tensors of a file, in header order, keyed by name. */
  public static LinkedHashMap<String, Tensor> read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > 100_000_000L || 8 + headerLen > ch.size()) {
        throw new FspoUserException(file + ": not a safetensors file (header length " + headerLen + ")");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(ch, header, 8);
      JsonNode root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
      long dataStart = 8 + headerLen;
      LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) continue;
        out.put(e.getKey(), readTensor(file, ch, dataStart, e.getKey(), e.getValue()));
      }
      return out;
    } catch (IOException e) {
      throw new FspoUserException(file + ": cannot read safetensors (" + e.getMessage() + ")");
    }
  }

  /** All tensors of a file as float32 (or integer) arrays, dropping the dtype. */
  public static LinkedHashMap<String, INDArray> readArrays(Path file) {
    LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
    read(file).forEach((k, v) -> out.put(k, v.array()));
    return out;
  }

  private static Tensor readTensor(Path file, FileChannel ch, long dataStart, String name, JsonNode spec)
      throws IOException {
    DType dtype;
    try {
      dtype = DType.valueOf(spec.path("dtype").asText());
    } catch (IllegalArgumentException e) {
      throw new FspoUserException(file + ": tensor " + name + " has unsupported dtype " + spec.path("dtype")
          + "; convert it to F32, BF16 or F16");
    }
    long[] shape = new long[spec.path("shape").size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = spec.path("shape").get(i).asLong();
      count *= shape[i];
    }
    long begin = spec.path("data_offsets").get(0).asLong();
    long end = spec.path("data_offsets").get(1).asLong();
    if (end - begin != count * dtype.bytes || dataStart + end > ch.size() || count > Integer.MAX_VALUE) {
      throw new FspoUserException(file + ": tensor " + name + " has data_offsets [" + begin + ", " + end
          + "] that do not fit shape " + spec.path("shape") + " of " + dtype + " or the file size");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, buf, dataStart + begin);
    buf.flip();
    int n = (int) count;
    INDArray array = switch (dtype) {
      case F32 -> {
        float[] v = new float[n];
        buf.asFloatBuffer().get(v);
        yield Nd4j.create(v, shape, 'c');
      }
      case BF16 -> {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = bf16ToFloat(buf.getShort());
        yield Nd4j.create(v, shape, 'c');
      }
      case F16 -> {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = f16ToFloat(buf.getShort());
        yield Nd4j.create(v, shape, 'c');
      }
      case I64 -> {
        long[] v = new long[n];
        buf.asLongBuffer().get(v);
        yield Nd4j.createFromArray(v).reshape('c', shape);
      }
      case I32 -> {
        int[] v = new int[n];
        buf.asIntBuffer().get(v);
        yield Nd4j.createFromArray(v).reshape('c', shape);
      }
    };
    return new Tensor(array, dtype);
  }

  /** Writes every tensor as F32 with {@code __metadata__ {"format":"pt"}}, atomically. */
  public static void write(Path file, Map<String, INDArray> tensors) {
    write(file, tensors, Map.of());
  }

  /**
   * Writes the tensors in map order, each in the dtype given for its name (F32 when absent), with
   * {@code __metadata__ {"format":"pt"}}. Writes a temporary file beside the target, then renames it over the target,
   * so a reader never sees half a file. BF16 and F16 round to nearest even.
   */
  public static void write(Path file, Map<String, INDArray> tensors, Map<String, DType> dtypes) {
    ObjectNode header = JSON.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
      DType dt = dtypes.getOrDefault(e.getKey(), DType.F32);
      ObjectNode spec = header.putObject(e.getKey());
      spec.put("dtype", dt.name());
      for (long d : e.getValue().shape()) spec.withArray("shape").add(d);
      if (e.getValue().rank() == 0) spec.putArray("shape");
      long size = e.getValue().length() * dt.bytes;
      spec.putArray("data_offsets").add(offset).add(offset + size);
      offset += size;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(header);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    int padded = (json.length + 7) / 8 * 8; // the format pads the header with spaces to 8-byte alignment
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (OutputStream out = Files.newOutputStream(tmp)) {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(json);
        for (int i = json.length; i < padded; i++) out.write(' ');
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
          out.write(encode(e.getValue(), dtypes.getOrDefault(e.getKey(), DType.F32)));
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new FspoUserException(file + ": cannot write safetensors (" + e.getMessage() + ")");
    }
  }

  private static byte[] encode(INDArray a, DType dt) {
    int n = (int) a.length();
    ByteBuffer buf = ByteBuffer.allocate(n * dt.bytes).order(ByteOrder.LITTLE_ENDIAN);
    INDArray copy = a.dup('c'); // off-heap: closed below, or a model's worth of copies waits for the GC while saving
    INDArray flat = copy.reshape(n);
    try {
      switch (dt) {
        case F32 -> buf.asFloatBuffer().put(flat.castTo(DataType.FLOAT).toFloatVector());
        case BF16 -> {
          for (float f : flat.castTo(DataType.FLOAT).toFloatVector()) buf.putShort(floatToBf16(f));
        }
        case F16 -> {
          for (float f : flat.castTo(DataType.FLOAT).toFloatVector()) buf.putShort(floatToF16(f));
        }
        case I64 -> buf.asLongBuffer().put(flat.castTo(DataType.LONG).toLongVector());
        case I32 -> buf.asIntBuffer().put(flat.castTo(DataType.INT).toIntVector());
      }
    } finally {
      copy.close();
    }
    return buf.array();
  }

  /** bfloat16 is the top 16 bits of a float32. */
  static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** Rounds to nearest even on the dropped 16 bits; NaN stays NaN. */
  static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) return (short) 0x7fc0;
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  /** Rounds to the nearest IEEE half, ties to even; overflow gives infinity. */
  static short floatToF16(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    float abs = Math.abs(f);
    if (Float.isNaN(f)) return (short) (sign | 0x7e00);
    if (abs >= 65520f) return (short) (sign | 0x7c00); // 65520 is halfway between 65504 (max half) and 2^16
    if (abs < 0x1p-14f) return (short) (sign | (int) Math.rint(abs * 0x1p24f)); // subnormal: m * 2^-24
    int h = ((((bits >>> 23) & 0xff) - 127 + 15) << 10) | ((bits & 0x7fffff) >>> 13);
    int rest = bits & 0x1fff; // the 13 dropped mantissa bits; a carry may roll into the exponent, as it should
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1) == 1)) h++;
    return (short) (sign | h);
  }

  /** IEEE half: 1 sign, 5 exponent (bias 15), 10 mantissa bits; subnormals, inf and NaN included. */
  static float f16ToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h >>> 15) == 0 ? 1 : -1;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0) return sign * mant * 0x1p-24f; // subnormal: mant * 2^-14 * 2^-10
    if (exp == 31) return mant == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
    return sign * (1 + mant / 1024f) * (float) Math.pow(2, exp - 15);
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos + buf.position());
      if (r < 0) throw new IOException("unexpected end of file");
    }
  }
}
