package org.fspo.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the CLI's SparkSession. The master is the --master option if given, else the one spark-submit set
 * (the {@code spark.master} system property), else {@code local[*]}; so the same command runs locally from
 * scripts/fspo and on a cluster through spark-submit. Any other Spark setting comes through {@code -Dspark.x=y} in
 * FSPO_JAVA_OPTS, or spark-submit's --conf.
 *
 * <p>Logging is quiet so that the CLI's own output is readable: Spark 4 logs through log4j2, and fspo-eval's
 * log4j2.properties sets WARN (ERROR for Hadoop and Parquet); --verbose raises Spark to INFO.
 */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession start(String appName, String master, boolean verbose) {
    quietLogs(verbose);
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    String chosen = master != null ? master : System.getProperty("spark.master", "local[*]");
    builder.master(chosen);
    builder.config("spark.ui.showConsoleProgress", "false");
    if (chosen.startsWith("local")) {
      // Small local jobs: Spark's default of 200 shuffle partitions costs seconds of empty tasks.
      defaultConfig(builder, "spark.sql.shuffle.partitions", "8");
      defaultConfig(builder, "spark.ui.enabled", "false");
      // A local job talks only to itself: keep the driver on loopback instead of the host's first interface.
      defaultConfig(builder, "spark.driver.host", "127.0.0.1");
      defaultConfig(builder, "spark.driver.bindAddress", "127.0.0.1");
    }
    return builder.getOrCreate();
  }

  private static void defaultConfig(SparkSession.Builder builder, String key, String value) {
    if (System.getProperty(key) == null) {
      builder.config(key, value);
    }
  }

  static void quietLogs(boolean verbose) {
    Configurator.setLevel("org.apache.spark", verbose ? Level.INFO : Level.WARN);
    Configurator.setLevel("org.sparkproject", verbose ? Level.INFO : Level.ERROR);
  }
}
