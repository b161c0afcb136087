package org.fspo.eval.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fspo.core.FspoUserException;

/** Reads and writes report.json with Jackson (pretty-printed, keys in record order, unknown keys rejected). */
public final class ReportJson {
  public static final String FILE_NAME = "report.json";

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ReportJson() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static void write(Report report, Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, MAPPER.writeValueAsString(report) + "\n");
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  public static Report read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new FspoUserException(file + ": no such report; run `fspo eval ... --out DIR` first",
          FspoUserException.NO_INPUT);
    }
    try {
      return MAPPER.readValue(file.toFile(), Report.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new FspoUserException(file + ": not a valid report.json (" + e.getOriginalMessage() + ")",
          FspoUserException.DATA, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
