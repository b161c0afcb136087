package org.fspo.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Path;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * One line for a config file that does not parse, with the line and column (1-based, as editors count): SnakeYAML's
 * own problem and mark for YAML (Jackson's message is several lines, the first often only "while parsing a block
 * mapping"), Jackson's location otherwise; a key given twice in one mapping (Jackson's
 * FAIL_ON_READING_DUP_TREE_KEY) is named as such.
 */
final class ConfigSyntax {
  private static final String DUPLICATE = "Duplicate field '";

  private ConfigSyntax() {}

  static String describe(Path file, String format, IOException e) {
    String message = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
    message = message == null ? "" : message;
    String where = file.toString();
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
        Mark mark = yaml.getProblemMark();
        return where + " line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": not valid "
            + format + " (" + oneLine(yaml.getProblem()) + "); fix the syntax";
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    if (e instanceof JsonProcessingException json && json.getLocation() != null
        && json.getLocation() != JsonLocation.NA) {
      where += " line " + json.getLocation().getLineNr() + ", column " + json.getLocation().getColumnNr();
    }
    if (message.startsWith(DUPLICATE)) {
      String key = message.substring(DUPLICATE.length(), message.indexOf('\'', DUPLICATE.length()));
      return where + ": key '" + key + "' is given twice in the same mapping; keep one";
    }
    return where + ": not valid " + format + " (" + oneLine(message) + "); fix the syntax";
  }

  private static String oneLine(String text) {
    if (text == null) {
      return "no detail";
    }
    int newline = text.indexOf('\n');
    return (newline < 0 ? text : text.substring(0, newline)).strip();
  }
}
