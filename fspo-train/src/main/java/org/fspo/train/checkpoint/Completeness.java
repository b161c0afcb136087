package org.fspo.train.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fspo.core.FspoUserException;

/**
 * Is a checkpoint's safetensors file whole? A file cut short (a full disk, a copy that stopped) still starts with a
 * plausible header, and the safetensors reader would call it "not a safetensors file". This check says what is
 * wrong instead: the size the header declares ({@code 8 + header length + the largest data_offsets end}) against
 * the size on disk. It only measures; validating the header's fields is {@link org.fspo.train.io.SafeTensors}'s job,
 * so a header it cannot make sense of is left to that reader's message.
 */
final class Completeness {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The reader's own bound on a header; a larger length is not a truncation but another kind of file. */
  private static final long MAX_HEADER = 100_000_000L;

  private Completeness() {}

  /** Throws one line naming the file when it is shorter than its header says. */
  static void requireWhole(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new FspoUserException(file + ": missing; the checkpoint is incomplete");
    }
    try (InputStream in = Files.newInputStream(file)) {
      long size = Files.size(file);
      byte[] len = in.readNBytes(8);
      if (len.length < 8) {
        throw new FspoUserException(file + ": truncated: " + size + " bytes, less than the 8-byte header length; "
            + "the checkpoint is incomplete");
      }
      long headerLen = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (headerLen <= 0 || headerLen > MAX_HEADER) return;
      if (8 + headerLen > size) throw truncated(file, 8 + headerLen, size);
      JsonNode header;
      try {
        header = JSON.readTree(in.readNBytes((int) headerLen));
      } catch (IOException e) {
        return; // not JSON: the reader names it
      }
      long end = 0;
      for (JsonNode spec : header) {
        JsonNode offsets = spec.path("data_offsets");
        if (offsets.size() == 2 && offsets.get(1).canConvertToLong()) end = Math.max(end, offsets.get(1).asLong());
      }
      if (8 + headerLen + end > size) throw truncated(file, 8 + headerLen + end, size);
    } catch (IOException e) {
      throw new FspoUserException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  private static FspoUserException truncated(Path file, long declared, long size) {
    return new FspoUserException(file + ": truncated: the header declares " + declared + " bytes but the file has "
        + size + "; the checkpoint is incomplete");
  }
}
