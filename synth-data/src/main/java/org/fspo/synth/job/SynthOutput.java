package org.fspo.synth.job;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a synth run produces, before it is written: the three store tables (columns as in
 * {@link org.fspo.core.schema.Columns}), the per-stage accounting, and the user-disagreement report (null for the
 * procedural generator, whose users share no judged pairs by design).
 */
public record SynthOutput(
    Dataset<Row> preferences,
    Dataset<Row> users,
    Dataset<Row> quarantine,
    List<StageCount> counts,
    Disagreement disagreement) {}
