package org.fspo.synth.importer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.fspo.core.FspoUserException;

/**
 * One {@code --input}, checked on the driver before Spark reads it, so that a wrong or damaged file is refused with
 * one line naming it (exit 65) instead of failing a Spark task with a stack trace:
 *
 * <ul>
 *   <li>JSONL by name ({@code .jsonl .json .ndjson}), refused when it starts like gzip or Parquet; gzip JSONL ({@code … .gz}) must start with the gzip magic
 *       bytes (damage further in is quarantined as truncated_input by {@link GzipLines});
 *   <li>Parquet: a {@code .parquet} file, or a folder holding {@code .parquet} part files (any name; Spark writes
 *       {@code part-*.parquet}); each file's footer is read here (parquet-hadoop's {@link ParquetFileReader}), which
 *       refuses a text file named .parquet, a cut-off file and a damaged footer. A damaged data page shows only when
 *       the rows are read; {@link ImportJob} names the file then.
 * </ul>
 *
 * @param path  the input as given
 * @param kind  its format
 * @param files the files to read: the input itself, or a Parquet folder's part files in name order
 */
record ImportInput(String path, Kind kind, List<String> files) {
  enum Kind { JSONL, JSONL_GZ, PARQUET }

  private static final List<String> JSONL = List.of(".jsonl", ".json", ".ndjson");
  static final String EXPECTED = "expected a .jsonl, .json or .ndjson file (optionally .gz), a .parquet file or a"
      + " folder of .parquet part files";

  static ImportInput check(Configuration conf, String input) {
    Path path = new Path(input);
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (!fs.exists(path)) {
        if (path.getName().contains(".")) {
          kindByName(input); // a name of no known format is refused as such first (exit 64)
        }
        throw new FspoUserException("input " + input + " not found; check the --input path",
            FspoUserException.NO_INPUT);
      }
      FileStatus status = fs.getFileStatus(path);
      if (status.isDirectory()) {
        return folder(fs, conf, input, path);
      }
      Kind kind = kindByName(input);
      if (kind == Kind.JSONL_GZ) {
        checkGzipMagic(fs, path, input, status.getLen());
      } else if (kind == Kind.JSONL) {
        checkPlainText(fs, path, input);
      } else if (kind == Kind.PARQUET) {
        checkParquet(conf, path, input);
      }
      return new ImportInput(input, kind, List.of(input));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Kind kindByName(String input) {
    String name = input.toLowerCase(Locale.ROOT);
    if (name.endsWith(".parquet")) {
      return Kind.PARQUET;
    }
    for (String suffix : JSONL) {
      if (name.endsWith(suffix)) {
        return Kind.JSONL;
      }
      if (name.endsWith(suffix + ".gz")) {
        return Kind.JSONL_GZ;
      }
    }
    throw new FspoUserException("input " + input + ": unknown format; " + EXPECTED, FspoUserException.USAGE);
  }

  private static ImportInput folder(FileSystem fs, Configuration conf, String input, Path path) throws IOException {
    List<FileStatus> parts = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (FileStatus child : fs.listStatus(path)) {
      String name = child.getPath().getName();
      if (name.startsWith(".") || name.startsWith("_")) {
        continue; // Spark's _SUCCESS, .crc files: not data
      }
      if (child.isFile() && name.toLowerCase(Locale.ROOT).endsWith(".parquet")) {
        parts.add(child);
      } else {
        others.add(name);
      }
    }
    if (parts.isEmpty()) {
      String held = others.isEmpty() ? "is an empty folder" : "is a folder without .parquet part files (it holds "
          + String.join(", ", others.subList(0, Math.min(3, others.size()))) + (others.size() > 3 ? ", …" : "")
          + ")";
      throw new FspoUserException("input " + input + " " + held + "; " + EXPECTED + "; give JSONL files"
          + " one by one (e.g. --input " + input + "/*.jsonl)", FspoUserException.DATA);
    }
    parts.sort(Comparator.comparing(status -> status.getPath().getName()));
    List<String> files = new ArrayList<>();
    for (FileStatus part : parts) {
      checkParquet(conf, part.getPath(), part.getPath().toString());
      files.add(part.getPath().toString());
    }
    return new ImportInput(input, Kind.PARQUET, List.copyOf(files));
  }

  /** A gzip or Parquet file named .jsonl would be read as lines of binary, every one invalid_json: refused. */
  private static void checkPlainText(FileSystem fs, Path path, String input) throws IOException {
    byte[] head = new byte[4];
    int n;
    try (InputStream in = fs.open(path)) {
      n = in.readNBytes(head, 0, 4);
    }
    if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      throw new FspoUserException("input " + input + " is gzip data, not plain JSONL; name it " + input + ".gz",
          FspoUserException.DATA);
    }
    if (n == 4 && new String(head, java.nio.charset.StandardCharsets.US_ASCII).equals("PAR1")) {
      throw new FspoUserException("input " + input + " is a Parquet file, not JSONL; give it a .parquet name",
          FspoUserException.DATA);
    }
  }

  private static void checkGzipMagic(FileSystem fs, Path path, String input, long length) throws IOException {
    if (length == 0) {
      return; // an empty file has no rows; the job refuses an import without rows
    }
    byte[] head = new byte[2];
    int n;
    try (InputStream in = fs.open(path)) {
      n = in.readNBytes(head, 0, 2);
    }
    if (n < 2 || (head[0] & 0xff) != 0x1f || (head[1] & 0xff) != 0x8b) {
      throw new FspoUserException("input " + input + " is not gzip data (a .gz file starts with bytes 1f 8b); "
          + "give gzip-compressed JSONL, or drop the .gz from the name if the file is plain JSONL",
          FspoUserException.DATA);
    }
  }

  private static void checkParquet(Configuration conf, Path path, String name) {
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf))) {
      reader.getFooter();
    } catch (IOException | RuntimeException e) {
      throw new FspoUserException("input " + name + " is not a readable Parquet file (" + cause(e) + "); expected a"
          + " complete Parquet file: copy or export it again, or name a JSONL file .jsonl", FspoUserException.DATA);
    }
  }

  /** The innermost cause's message, on one line. */
  static String cause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(root.getMessage());
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }
}
