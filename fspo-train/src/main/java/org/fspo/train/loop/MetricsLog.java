package org.fspo.train.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fspo.train.checkpoint.TrainerState;

/**
 * metrics.jsonl: one JSON object per optimizer step, flushed as written, e.g.
 * {@code {"stage":"fspo","step":3,"epoch":0.75,"loss":2488.1,"rewards/chosen":0.01,...,"lr":1e-4,"tokens/s":812.5}}.
 * On resume, rows after the checkpoint are dropped first, so every (stage, step) appears once.
 */
final class MetricsLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final BufferedWriter out;

  /** Opens for appending; with {@code resumeFrom} non-null, keeps only rows at or before that position. */
  MetricsLog(Path file, TrainerState resumeFrom) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      if (resumeFrom != null && Files.exists(file)) {
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          JsonNode row = JSON.readTree(line);
          int order = TrainerState.SFT.equals(row.path("stage").asText()) ? 1 : 2;
          long step = row.path("step").asLong();
          if (order < resumeFrom.stageOrder() || (order == resumeFrom.stageOrder() && step <= resumeFrom.step())) {
            kept.add(line);
          }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, kept, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } else if (resumeFrom == null) {
        Files.deleteIfExists(file);
      }
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file, e);
    }
  }

  void write(Map<String, Object> row) {
    try {
      out.write(JSON.writeValueAsString(row));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
