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
import java.util.function.Consumer;
import org.fspo.core.FspoUserException;
import org.fspo.train.checkpoint.TrainerState;

/**
 * metrics.jsonl: one JSON object per optimizer step, flushed as written, e.g.
 * {@code {"stage":"fspo","step":3,"epoch":0.75,"loss":2488.1,"rewards/chosen":0.01,...,"lr":1e-4,"tokens/s":812.5}}.
 * On resume, rows after the checkpoint are dropped first, so every (stage, step) appears once. A row is written
 * before its step's checkpoint, so a process killed while writing one leaves a torn last line that is after the
 * checkpoint in any case: it is dropped with a warning. A line that is not JSON anywhere else means the file was
 * damaged some other way, and resume stops with one line naming it rather than guess which rows are real.
 */
final class MetricsLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final BufferedWriter out;

  /**
   * Opens for appending; with {@code resumeFrom} non-null, keeps only rows at or before that position.
   *
   * @param file null: write nothing (a data-parallel worker other than rank 0)
   * @param warn gets one line when a torn last row is dropped
   */
  MetricsLog(Path file, TrainerState resumeFrom, Consumer<String> warn) {
    if (file == null) {
      out = new BufferedWriter(java.io.Writer.nullWriter());
      return;
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      if (resumeFrom != null && Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
          JsonNode row = parse(file, lines, i, warn);
          if (row == null) continue;
          int order = TrainerState.SFT.equals(row.path("stage").asText()) ? 1 : 2;
          long step = row.path("step").asLong();
          if (order < resumeFrom.stageOrder() || (order == resumeFrom.stageOrder() && step <= resumeFrom.step())) {
            kept.add(lines.get(i));
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

  /** Line i as a row with a stage and a step; null for a blank line or a torn last line (warned). */
  private static JsonNode parse(Path file, List<String> lines, int i, Consumer<String> warn) {
    String line = lines.get(i);
    if (line.isBlank()) return null;
    JsonNode row;
    try {
      row = JSON.readTree(line);
    } catch (IOException e) {
      row = null;
    }
    if (row != null && row.isObject() && row.path("stage").isTextual() && row.path("step").canConvertToLong()) {
      return row;
    }
    if (i == lines.size() - 1) {
      warn.accept(file + " line " + (i + 1) + " is a torn row (the process stopped while writing it); dropped it: "
          + (line.length() > 60 ? line.substring(0, 60) + "..." : line));
      return null;
    }
    throw new FspoUserException(file + " line " + (i + 1) + ": not a metrics row (JSON with stage and step); the "
        + "file is damaged before its last line, so resume cannot tell which steps it records; repair or remove "
        + "that line and resume again", FspoUserException.DATA);
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
