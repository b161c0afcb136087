package org.fspo.train.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {..}}, then
 * the raw little-endian tensor bytes. Floating tensors (F32, BF16, F16) are widened to float32 c-order INDArrays;
 * I64/I32 become LONG/INT arrays. The header's dtype is kept per tensor so a model can be saved back as it came.
 * Every header field is validated first ({@link SafeTensorsHeader}). Not supported: F64, I8/U8, BOOL and the FP8
 * types (a one-line error names the tensor). Tensors move in chunks of {@link #CHUNK} elements, so the Java heap
 * never holds a whole tensor (a Llama 3 embedding is over 1 GB in float32).
 */
public final class SafeTensors {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Elements converted per chunk when reading or writing. */
  static final int CHUNK = 1 << 22;

  /** The element types this reader understands, with their safetensors names and sizes in bytes. */
  public enum DType {
    F32(4), BF16(2), F16(2), I64(8), I32(4);

    public final int bytes;

    DType(int bytes) {
      this.bytes = bytes;
    }

    public boolean floating() {
      return this == F32 || this == BF16 || this == F16;
    }
  }

  /** One tensor as read: float32 (or LONG/INT for integer dtypes) c-order values, and the dtype in the file. */
  public record Tensor(INDArray array, DType dtype) {}

  private SafeTensors() {}

  /** All tensors of a file, in header order, keyed by name. */
  public static LinkedHashMap<String, Tensor> read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      SafeTensorsHeader header = SafeTensorsHeader.read(file, ch);
      LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
      for (SafeTensorsHeader.Entry e : header.tensors().values()) out.put(e.name(), readTensor(header, ch, e));
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

  /** The dtype of a header entry, or a one-line error when this reader cannot widen it. */
  public static DType dtypeOf(SafeTensorsHeader header, SafeTensorsHeader.Entry e) {
    try {
      return DType.valueOf(e.dtype());
    } catch (IllegalArgumentException unsupported) {
      throw new FspoUserException(header.file() + ": tensor " + e.name() + " has dtype " + e.dtype()
          + ", which this reader does not support; convert it to F32, BF16 or F16");
    }
  }

  /** Reads one validated entry of an open file. */
  static Tensor readTensor(SafeTensorsHeader header, FileChannel ch, SafeTensorsHeader.Entry e) throws IOException {
    DType dtype = dtypeOf(header, e);
    long n = e.elements();
    if (n > Integer.MAX_VALUE) {
      throw new FspoUserException(header.file() + ": tensor " + e.name() + " has " + n
          + " elements, more than ND4J's 2^31-1 per array");
    }
    if (!dtype.floating()) return readIntegers(header, ch, e, dtype);
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n}, 'c');
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(n, CHUNK) * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[(int) Math.min(n, CHUNK)];
    for (long at = 0; at < n; at += CHUNK) {
      int m = (int) Math.min(CHUNK, n - at);
      buf.clear().limit(m * dtype.bytes);
      readFully(ch, buf, header.dataStart() + e.begin() + at * dtype.bytes);
      buf.flip();
      switch (dtype) {
        case F32 -> buf.asFloatBuffer().get(v, 0, m);
        case BF16 -> {
          for (int i = 0; i < m; i++) v[i] = bf16ToFloat(buf.getShort());
        }
        default -> {
          for (int i = 0; i < m; i++) v[i] = f16ToFloat(buf.getShort());
        }
      }
      float[] part = m == v.length ? v : java.util.Arrays.copyOf(v, m);
      out.get(NDArrayIndex.interval(at, at + m)).assign(Nd4j.createFromArray(part));
    }
    return new Tensor(out.reshape('c', e.shape()), dtype);
  }

  /** I64/I32 tensors are small (step counters, ids): read whole. */
  private static Tensor readIntegers(SafeTensorsHeader header, FileChannel ch, SafeTensorsHeader.Entry e, DType dtype)
      throws IOException {
    int n = (int) e.elements();
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, buf, header.dataStart() + e.begin());
    buf.flip();
    INDArray array;
    if (dtype == DType.I64) {
      long[] v = new long[n];
      buf.asLongBuffer().get(v);
      array = Nd4j.createFromArray(v).reshape('c', e.shape());
    } else {
      int[] v = new int[n];
      buf.asIntBuffer().get(v);
      array = Nd4j.createFromArray(v).reshape('c', e.shape());
    }
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
      ArrayNode shape = spec.putArray("shape");
      for (long d : e.getValue().shape()) shape.add(d);
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
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(json);
        for (int i = json.length; i < padded; i++) out.write(' ');
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
          encode(out, e.getValue(), dtypes.getOrDefault(e.getKey(), DType.F32));
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new FspoUserException(file + ": cannot write safetensors (" + e.getMessage() + ")",
          FspoUserException.CANT_CREATE);
    }
  }

  /** Writes a's values in c order as dt, a chunk at a time. */
  private static void encode(OutputStream out, INDArray a, DType dt) throws IOException {
    long n = a.length();
    INDArray flat = a.reshape('c', new long[] {n}); // a view when a is c-contiguous, else a c-order copy
    // an off-heap copy is freed here: left to the GC, a model's worth of copies would wait while saving
    boolean copied = flat.data() != a.data();
    try {
      for (long at = 0; at < n; at += CHUNK) {
        int m = (int) Math.min(CHUNK, n - at);
        INDArray part = flat.get(NDArrayIndex.interval(at, at + m));
        ByteBuffer buf = ByteBuffer.allocate(m * dt.bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (dt) {
          case F32 -> buf.asFloatBuffer().put(part.castTo(DataType.FLOAT).toFloatVector());
          case BF16 -> {
            for (float f : part.castTo(DataType.FLOAT).toFloatVector()) buf.putShort(floatToBf16(f));
          }
          case F16 -> {
            for (float f : part.castTo(DataType.FLOAT).toFloatVector()) buf.putShort(floatToF16(f));
          }
          case I64 -> buf.asLongBuffer().put(part.castTo(DataType.LONG).toLongVector());
          case I32 -> buf.asIntBuffer().put(part.castTo(DataType.INT).toIntVector());
        }
        out.write(buf.array());
      }
    } finally {
      if (copied) flat.close();
    }
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

  static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos + buf.position());
      if (r < 0) throw new IOException("unexpected end of file");
    }
  }
}
