package org.fspo.synth.importer;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

/**
 * The lines of a gzip-compressed JSONL stream, read lazily, that survive a damaged file: the complete lines before
 * the damage come out as usual, then one last line carries the {@link Line#error} (its text is the incomplete line's
 * bytes, possibly empty) and the iteration ends. Spark's own gzip text input instead fails the whole job on a
 * truncated file with "Unexpected end of input stream" and no file name.
 *
 * <p>Lines end at '\n' (a '\r' before it is dropped), as in Hadoop's LineReader; a last line without '\n' counts;
 * numbers start at 1; text is decoded as UTF-8, malformed bytes replaced, as Hadoop's {@code Text} does. Reads
 * concatenated gzip members like {@code gzip -c a b}. Pure java.util.zip: no Spark, testable on its own.
 */
final class GzipLines implements Iterator<GzipLines.Line>, AutoCloseable {
  /** One line; {@code error} is non-null only on the last line of a damaged stream. */
  record Line(long number, String text, String error) {}

  private final CountingStream compressed;
  private final InputStream in;
  private final long fileBytes;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
  private long number;
  private long uncompressed;
  private Line next;
  private boolean done;

  /** @param raw the file's bytes (closed with this); fileBytes its size, for the message */
  GzipLines(InputStream raw, long fileBytes) {
    this.compressed = new CountingStream(raw);
    this.fileBytes = fileBytes;
    InputStream opened;
    try {
      opened = fileBytes == 0 ? InputStream.nullInputStream()
          : new BufferedInputStream(new GZIPInputStream(compressed, 1 << 16), 1 << 16);
    } catch (IOException e) {
      opened = null;
      next = new Line(1, "", damage(e));
      done = true;
    }
    this.in = opened;
  }

  @Override
  public boolean hasNext() {
    if (next == null && !done) {
      next = read();
    }
    return next != null;
  }

  @Override
  public Line next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Line line = next;
    next = null;
    return line;
  }

  private Line read() {
    buffer.reset();
    try {
      for (int b = in.read(); ; b = in.read()) {
        if (b < 0) {
          done = true;
          return buffer.size() == 0 ? null : new Line(++number, text(), null);
        }
        uncompressed++;
        if (b == '\n') {
          return new Line(++number, text(), null);
        }
        buffer.write(b);
      }
    } catch (IOException e) {
      done = true;
      String error = damage(e);
      return new Line(++number, text(), error);
    }
  }

  private String text() {
    byte[] bytes = buffer.toByteArray();
    int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }

  /** One line: what broke, where, and what it means for the rows. */
  private String damage(IOException e) {
    String what = e instanceof EOFException
        ? "the gzip data ends early (the file is cut off)"
        : "the gzip data is damaged (" + e.getMessage() + ")";
    return what + " at byte " + compressed.count + " of " + fileBytes + ", after " + uncompressed
        + " uncompressed bytes: line " + (number + 1) + " is incomplete and nothing after it can be read;"
        + " the lines before it are kept; re-create or re-download the file to import the rest";
  }

  @Override
  public void close() {
    try {
      compressed.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Counts the compressed bytes consumed, to say where the damage is. */
  private static final class CountingStream extends FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      count += b < 0 ? 0 : 1;
      return b;
    }

    @Override
    public int read(byte[] bytes, int off, int len) throws IOException {
      int n = super.read(bytes, off, len);
      count += Math.max(n, 0);
      return n;
    }
  }
}
