package org.fspo.synth.importer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the import's input files into one table of raw rows, each with where it came from:
 *
 * <pre>
 * file_index | source          | part | position | location | raw                               | read_error
 * 0          | data/a.jsonl    |      | 1        | line 1   | {"user_id": "u1", "prompt": ...}  |
 * 0          | data/a.jsonl    |      | 2        | line 2   | {"user_id": "u1", broken          |
 * 1          | data/b.jsonl.gz |      | 7        | line 7   | {"user_id": "u3", "pro            | the gzip data ends early ...
 * 2          | data/c.parquet  |      | 0        | row 0    | {"user_id":"u2","prompt":...}     |
 * </pre>
 *
 * Every input is first checked on the driver ({@link ImportInput#check}: exists, known format, gzip magic, Parquet
 * footers). Plain JSONL (.jsonl, .json, .ndjson) is read with Spark's text input, line numbers from 1 (the order of
 * a file's splits is the order of its lines, so zipWithIndex numbers lines exactly). Gzip JSONL is not splittable,
 * so each .gz file is read whole by one task through {@link GzipLines} (Spark's binaryFiles gives the stream),
 * which keeps the complete lines of a cut-off or damaged file and ends it with one row whose read_error says where
 * reading stopped (reason truncated_input). Whitespace-only lines are kept here with raw = "" and dropped, counted,
 * by the job. Parquet (a .parquet file or a folder's part files) is read with Spark, each row rendered as JSON with
 * to_json, row index from 0 (the {@code _metadata.row_index} of its file, with part naming the file inside a
 * folder), so that both formats go through the same {@link ImportValidator}; a column of another type than string
 * then shows up as non_string_field, and a null as missing_field.
 */
final class ImportSources {
  static final StructType RAW = new StructType()
      .add("file_index", DataTypes.IntegerType, false)
      .add("source", DataTypes.StringType, false)
      .add("part", DataTypes.StringType, false)
      .add("position", DataTypes.LongType, false)
      .add("location", DataTypes.StringType, false)
      .add("raw", DataTypes.StringType, false)
      .add("read_error", DataTypes.StringType, true);

  private ImportSources() {}

  /** Every input checked ({@link ImportInput#check}); else a one-line user error naming the first bad one. */
  static List<ImportInput> check(SparkSession spark, List<String> inputs) {
    List<ImportInput> checked = new ArrayList<>();
    for (String input : inputs) {
      checked.add(ImportInput.check(spark.sparkContext().hadoopConfiguration(), input));
    }
    return checked;
  }

  static Dataset<Row> read(SparkSession spark, List<ImportInput> inputs) {
    Dataset<Row> all = null;
    for (int i = 0; i < inputs.size(); i++) {
      ImportInput input = inputs.get(i);
      Dataset<Row> rows = switch (input.kind()) {
        case PARQUET -> parquet(spark, i, input);
        case JSONL_GZ -> gzipLines(spark, i, input.path());
        case JSONL -> jsonLines(spark, i, input.path());
      };
      all = all == null ? rows : all.unionByName(rows);
    }
    return all;
  }

  private static Dataset<Row> jsonLines(SparkSession spark, int fileIndex, String input) {
    JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext()).textFile(input)
        .zipWithIndex()
        .map(lineAndIndex -> {
          long line = lineAndIndex._2() + 1;
          String text = lineAndIndex._1();
          return RowFactory.create(fileIndex, input, "", line, "line " + line, text.isBlank() ? "" : text, null);
        });
    return spark.createDataFrame(rows, RAW);
  }

  private static Dataset<Row> gzipLines(SparkSession spark, int fileIndex, String input) {
    long bytes = length(spark, input);
    JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext()).binaryFiles(input, 1).values()
        .flatMap(stream -> {
          GzipLines lines = new GzipLines(stream.open(), bytes);
          return new java.util.Iterator<Row>() {
            @Override
            public boolean hasNext() {
              boolean more = lines.hasNext();
              if (!more) {
                lines.close();
              }
              return more;
            }

            @Override
            public Row next() {
              GzipLines.Line line = lines.next();
              String text = line.text().isBlank() && line.error() == null ? "" : line.text();
              return RowFactory.create(fileIndex, input, "", line.number(), "line " + line.number(), text,
                  line.error());
            }
          };
        });
    return spark.createDataFrame(rows, RAW);
  }

  private static Dataset<Row> parquet(SparkSession spark, int fileIndex, ImportInput input) {
    Dataset<Row> table = spark.read().parquet(input.files().toArray(String[]::new));
    Column[] data = Arrays.stream(table.columns()).map(table::col).toArray(Column[]::new);
    boolean folder = input.files().size() > 1 || !input.files().get(0).equals(input.path());
    Column part = folder ? col("_metadata.file_name") : lit("");
    Column index = col("_metadata.row_index");
    Column location = folder
        ? org.apache.spark.sql.functions.concat(part, lit(" row "), index.cast("string"))
        : org.apache.spark.sql.functions.concat(lit("row "), index.cast("string"));
    return table.select(lit(fileIndex).as("file_index"), lit(input.path()).as("source"), part.as("part"),
        index.cast("long").as("position"), location.as("location"),
        to_json(struct(data)).as("raw"), lit(null).cast("string").as("read_error"));
  }

  private static long length(SparkSession spark, String input) {
    try {
      Path path = new Path(input);
      return fs(spark, path).getFileStatus(path).getLen();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * SHA-256 over the inputs' names and bytes (a folder: its visible files in name order), for the store fingerprint:
   * the same data under another path is the same import.
   */
  static List<String> contentHashes(SparkSession spark, List<String> inputs) {
    List<String> hashes = new ArrayList<>();
    for (String input : inputs) {
      Path path = new Path(input);
      try {
        FileSystem fs = fs(spark, path);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        List<FileStatus> files = new ArrayList<>();
        FileStatus status = fs.getFileStatus(path);
        if (status.isDirectory()) {
          for (FileStatus child : fs.listStatus(path)) {
            String name = child.getPath().getName();
            if (child.isFile() && !name.startsWith(".") && !name.startsWith("_")) {
              files.add(child);
            }
          }
          files.sort((a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
        } else {
          files.add(status);
        }
        byte[] buffer = new byte[1 << 16];
        for (FileStatus file : files) {
          digest.update(file.getPath().getName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
          try (InputStream in = fs.open(file.getPath())) {
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
              digest.update(buffer, 0, n);
            }
          }
        }
        hashes.add(path.getName() + ":" + HexFormat.of().formatHex(digest.digest()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    return hashes;
  }

  private static FileSystem fs(SparkSession spark, Path path) throws IOException {
    return path.getFileSystem(spark.sparkContext().hadoopConfiguration());
  }
}
