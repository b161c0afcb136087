package org.fspo.synth.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The user-disagreement report: over response pairs judged for two or more users, the mean label difference
 * |l_u - l_v| over all pairs of such users (l = 1 when response_a is chosen). For one item with n users of which s
 * chose a, the disagreeing user pairs are s(n - s) out of n(n - 1)/2; the report pools all items:
 * mean = sum s(n - s) / sum n(n - 1)/2. 0 means users never disagree (the personas add nothing); 0.5 is the most a
 * balanced population can reach.
 *
 * @param sharedItems     response pairs judged (consistently) for at least two users
 * @param userPairs       pairs of users compared, summed over shared items
 * @param meanDifference  mean |l_u - l_v| over those user pairs, or 0 when there are none
 */
public record Disagreement(
    @JsonProperty("shared_items") long sharedItems,
    @JsonProperty("user_pairs") long userPairs,
    @JsonProperty("mean_label_difference") double meanDifference) {

  /** From consistent judged pairs with columns question_id, a_index, b_index, label_a (1 when a chosen). */
  public static Disagreement of(Dataset<Row> labelled) {
    Dataset<Row> items = labelled.groupBy("question_id", "a_index", "b_index")
        .agg(count("*").as("n"), sum("label_a").as("s")).filter(col("n").geq(2));
    Row totals = items.agg(count("*"), sum(col("n").multiply(col("n").minus(1)).divide(2).cast("long")),
        sum(col("s").multiply(col("n").minus(col("s"))))).first();
    long shared = totals.getLong(0);
    long userPairs = totals.isNullAt(1) ? 0 : totals.getLong(1);
    long disagreeing = totals.isNullAt(2) ? 0 : totals.getLong(2);
    return new Disagreement(shared, userPairs, userPairs == 0 ? 0 : (double) disagreeing / userPairs);
  }
}
