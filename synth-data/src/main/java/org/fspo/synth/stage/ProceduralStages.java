package org.fspo.synth.stage;

import static org.fspo.synth.stage.StageChecks.requireColumns;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fspo.core.episode.Split;
import org.fspo.synth.procedural.ProceduralGenerator;
import org.fspo.synth.procedural.ProceduralPair;
import org.fspo.synth.procedural.ProceduralUser;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The procedural generator's Spark stages, each Dataset to Dataset. Users and pairs are pure functions of
 * (seed, user index), so the result is the same for any partitioning and any number of executors.
 */
public final class ProceduralStages {

  /** users: one row per user; traits and utility_weights are maps keyed by attribute ("length", "tone", ...). */
  public static final StructType USERS =
      new StructType()
          .add("user_index", DataTypes.LongType, false)
          .add("user_id", DataTypes.StringType, false)
          .add("description", DataTypes.StringType, false)
          .add("traits", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), false)
          .add("utility_weights", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), false)
          .add("split", DataTypes.StringType, false);

  /** pairs: one row per labelled pair; attributes are "length=long,tone=casual,..." of chosen and rejected. */
  public static final StructType PAIRS =
      new StructType()
          .add("user_id", DataTypes.StringType, false)
          .add("pair_index", DataTypes.IntegerType, false)
          .add("question_index", DataTypes.IntegerType, false)
          .add("prompt", DataTypes.StringType, false)
          .add("chosen", DataTypes.StringType, false)
          .add("rejected", DataTypes.StringType, false)
          .add("chosen_attributes", DataTypes.StringType, false)
          .add("rejected_attributes", DataTypes.StringType, false)
          .add("utility_chosen", DataTypes.DoubleType, false)
          .add("utility_rejected", DataTypes.DoubleType, false)
          .add("user_description", DataTypes.StringType, false)
          .add("split", DataTypes.StringType, false);

  private ProceduralStages() {}

  /**
   * Draws one user per index.
   *
   * <pre>
   * id | -> | user_index | user_id     | description                          | traits           | utility_weights | split
   * 0  |    | 0          | proc-000000 | prefers a casual tone, bullet po...  | {length: short..}| {length: -0.71..}| train
   * 1  |    | 1          | proc-000001 | prefers long answers, a formal t...  | {length: long..} | {length: 1.32..} | test
   * 2  |    | 2          | proc-000002 | prefers technical jargon, no exa...  | {length: short..}| {length: -0.58..}| train
   * </pre>
   */
  public static Dataset<Row> withUsers(Dataset<Row> ids, ProceduralSpec config) {
    requireColumns("withUsers", ids, "id");
    int idColumn = ids.schema().fieldIndex("id"); // rows inside map functions carry no schema
    MapFunction<Row, Row> draw =
        row -> {
          long index = row.getLong(idColumn);
          ProceduralUser user = new ProceduralGenerator(config.seed(), config.procedural()).user(index);
          return RowFactory.create(
              index,
              user.userId(),
              user.description(),
              CollectionConverters.asScala(user.traits()),
              CollectionConverters.asScala(user.weights()),
              Split.of(user.userId(), config.seed(), config.testFraction()));
        };
    return ids.map(draw, Encoders.row(USERS));
  }

  /**
   * Explodes each user into {@code pairs_per_user} pairs labelled by the user's utility (chosen has the higher one).
   *
   * <pre>
   * user_id     | -> | user_id     | pair_index | prompt              | chosen                | rejected              | ...
   * proc-000000 |    | proc-000000 | 0          | how do i bake bread? | hey! in short: fir... | certainly. in short...| ...
   *             |    | proc-000000 | 1          | how do i sleep be... | ...                   | ...                   | ...
   * proc-000001 |    | proc-000001 | 0          | ...                  | ...                   | ...                   | ...
   * </pre>
   */
  public static Dataset<Row> explodePairs(Dataset<Row> users, ProceduralSpec config) {
    requireColumns("explodePairs", users, "user_index", "user_id", "description", "split");
    StructType schema = users.schema();
    int indexColumn = schema.fieldIndex("user_index");
    int descriptionColumn = schema.fieldIndex("description");
    int splitColumn = schema.fieldIndex("split");
    FlatMapFunction<Row, Row> explode =
        row -> {
          long index = row.getLong(indexColumn);
          String description = row.getString(descriptionColumn);
          String split = row.getString(splitColumn);
          ProceduralGenerator generator = new ProceduralGenerator(config.seed(), config.procedural());
          List<Row> out = new ArrayList<>(config.pairsPerUser());
          for (ProceduralPair pair : generator.pairs(index, config.pairsPerUser())) {
            out.add(
                RowFactory.create(
                    pair.userId(),
                    pair.pairIndex(),
                    pair.questionIndex(),
                    pair.question(),
                    pair.chosen(),
                    pair.rejected(),
                    attributes(pair.chosenSigns()),
                    attributes(pair.rejectedSigns()),
                    pair.utilityChosen(),
                    pair.utilityRejected(),
                    description,
                    split));
          }
          Iterator<Row> iterator = out.iterator();
          return iterator;
        };
    return users.flatMap(explode, Encoders.row(PAIRS));
  }

  /** "length=long,tone=casual,format=bullets,examples=none,jargon=plain", in {@code Attribute} order. */
  static String attributes(Map<org.fspo.synth.procedural.Attribute, Integer> signs) {
    StringBuilder text = new StringBuilder();
    for (org.fspo.synth.procedural.Attribute attribute : org.fspo.synth.procedural.Attribute.values()) {
      text.append(text.length() == 0 ? "" : ",").append(attribute.key()).append('=')
          .append(attribute.value(signs.get(attribute)));
    }
    return text.toString();
  }
}
