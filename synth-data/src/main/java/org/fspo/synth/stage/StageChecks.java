package org.fspo.synth.stage;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The one check every stage makes first: its required input columns are present. */
public final class StageChecks {
  private StageChecks() {}

  /** Fails with one line naming the stage, the missing column and the columns present. */
  public static void requireColumns(String stage, Dataset<Row> input, String... required) {
    List<String> present = Arrays.asList(input.columns());
    for (String column : required) {
      if (!present.contains(column)) {
        throw new IllegalArgumentException(
            "stage " + stage + " needs column '" + column + "' but its input has " + present);
      }
    }
  }
}
