package org.fspo.train.loop;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.fspo.train.data.Collated;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.TokenBatch;

/**
 * The frozen reference's summed log-probs for each tokenized pair, computed once and kept on disk in
 * {@code ref-cache/<reference hash>.tsv} (lines {@code key \t logp chosen \t logp rejected}, doubles written exactly),
 * so later epochs, resumed runs and new runs with the same reference reuse them.
 *
 * <p>The key is a SHA-256 over the pair's token ids after rendering and truncation (prompt, chosen, rejected). That
 * covers the episode's content, the prompt format, the tokenizer and max_seq_len; the reference's weights are
 * covered by the file name, a hash of its model.safetensors. Nothing else changes the reference's log-probs.
 */
public final class RefLogpCache implements AutoCloseable {
  private final CausalLm reference;
  private final Map<String, double[]> values = new HashMap<>();
  private final BufferedWriter out;
  private long hits, misses;

  public RefLogpCache(CausalLm reference, Path dir, String referenceHash) {
    this.reference = reference;
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(referenceHash + ".tsv");
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          String[] f = line.split("\t");
          if (f.length == 3) values.put(f[0], new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
        }
      }
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the reference cache in " + dir, e);
    }
  }

  /** [pairs][2] reference log-probs {chosen, rejected} for the batch; misses run one forward pass over them. */
  public double[][] logps(Collated batch) {
    int n = batch.pairs();
    double[][] result = new double[n][];
    String[] keys = new String[n];
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys[i] = key(batch.batch(), i);
      result[i] = values.get(keys[i]);
      if (result[i] == null) missing.add(i);
    }
    hits += n - missing.size();
    misses += missing.size();
    if (!missing.isEmpty()) {
      double[] seq = reference.forward(subBatch(batch.batch(), missing)).seqLogps();
      try {
        for (int j = 0; j < missing.size(); j++) {
          int i = missing.get(j);
          result[i] = new double[] {seq[2 * j], seq[2 * j + 1]};
          values.put(keys[i], result[i]);
          out.write(keys[i] + "\t" + seq[2 * j] + "\t" + seq[2 * j + 1] + "\n");
        }
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to the reference cache", e);
      }
    }
    return result;
  }

  public long hits() {
    return hits;
  }

  public long misses() {
    return misses;
  }

  /** Rows 2i and 2i+1 of the missing pairs, the same width (padding does not change a row's log-prob). */
  private static TokenBatch subBatch(TokenBatch b, List<Integer> pairs) {
    int m = pairs.size();
    int[][] ids = new int[2 * m][], att = new int[2 * m][], resp = new int[2 * m][];
    for (int j = 0; j < m; j++) {
      for (int r = 0; r < 2; r++) {
        int row = 2 * pairs.get(j) + r;
        ids[2 * j + r] = b.inputIds()[row];
        att[2 * j + r] = b.attentionMask()[row];
        resp[2 * j + r] = b.responseMask()[row];
      }
    }
    return new TokenBatch(ids, att, resp);
  }

  static String key(TokenBatch b, int pair) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (int r = 2 * pair; r <= 2 * pair + 1; r++) {
        StringBuilder s = new StringBuilder();
        for (int t = 0; t < b.seqLen() && b.attentionMask()[r][t] == 1; t++) {
          s.append(b.responseMask()[r][t] == 1 ? 'r' : 'p').append(b.inputIds()[r][t]).append(',');
        }
        sha.update(s.append('|').toString().getBytes(StandardCharsets.US_ASCII));
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** First 16 hex digits of the SHA-256 of a file: names a reference checkpoint. */
  public static String fileHash(Path file) {
    try (var in = Files.newInputStream(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int r; (r = in.read(buf)) > 0; ) sha.update(buf, 0, r);
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
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
