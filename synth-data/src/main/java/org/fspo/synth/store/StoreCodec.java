package org.fspo.synth.store;

import static org.fspo.core.schema.Columns.*;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.fspo.core.episode.PreferencePair;
import org.fspo.core.episode.Provenance;
import org.fspo.core.episode.QuarantineRecord;
import org.fspo.core.episode.UserRecord;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Record to {@link Row} and back, for the three tables of {@link StoreSchema}. Rows going in follow the schema's
 * column order; rows coming out are read by column name, so any column order (and a row with extra columns) works.
 * Maps go in as Scala maps (what Spark's row encoder expects) and come out as sorted Java maps.
 */
public final class StoreCodec {
  private StoreCodec() {}

  public static Row toRow(PreferencePair pair) {
    Provenance p = pair.provenance();
    return RowFactory.create(pair.userId(), pair.pairId(), pair.prompt(), pair.chosen(), pair.rejected(),
        pair.userDescription(), pair.domain(), pair.split(),
        p.source(), p.generator(), p.judge(), p.seed(), p.createdAt(), p.templateVersion(), p.judgeRawAb(),
        p.judgeRawBa());
  }

  public static PreferencePair preference(Row row) {
    Provenance provenance = new Provenance(text(row, SOURCE), text(row, GENERATOR), text(row, JUDGE),
        row.<Long>getAs(SEED), text(row, CREATED_AT), text(row, TEMPLATE_VERSION), text(row, JUDGE_RAW_AB),
        text(row, JUDGE_RAW_BA));
    return new PreferencePair(text(row, USER_ID), text(row, PAIR_ID), text(row, PROMPT), text(row, CHOSEN),
        text(row, REJECTED), text(row, USER_DESCRIPTION), text(row, DOMAIN), text(row, SPLIT), provenance);
  }

  public static Row toRow(UserRecord user) {
    return RowFactory.create(user.userId(), user.description(),
        CollectionConverters.asScala(new LinkedHashMap<>(new TreeMap<>(user.traits()))),
        CollectionConverters.asScala(new LinkedHashMap<>(new TreeMap<>(user.utilityWeights()))),
        user.split());
  }

  public static UserRecord user(Row row) {
    return new UserRecord(text(row, USER_ID), text(row, DESCRIPTION), map(row, TRAITS), map(row, UTILITY_WEIGHTS),
        text(row, SPLIT));
  }

  public static Row toRow(QuarantineRecord q) {
    return RowFactory.create(q.stage(), q.source(), q.location(), q.reason(), q.detail(), q.raw(), q.attempts());
  }

  public static QuarantineRecord quarantine(Row row) {
    return new QuarantineRecord(text(row, STAGE), text(row, SOURCE), text(row, LOCATION), text(row, REASON),
        text(row, DETAIL), text(row, RAW), row.<Integer>getAs(ATTEMPTS));
  }

  private static String text(Row row, String column) {
    return row.getAs(column);
  }

  private static <V> Map<String, V> map(Row row, String column) {
    int index = row.fieldIndex(column);
    if (row.isNullAt(index)) {
      return Map.of();
    }
    Map<String, V> sorted = new TreeMap<>();
    sorted.putAll(row.<String, V>getJavaMap(index));
    return sorted;
  }
}
