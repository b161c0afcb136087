package org.fspo.train.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where every token of a {@link TokenBatch} sits in the rows the model actually runs, and which positions are
 * scored. Two layouts:
 *
 * <ul>
 *   <li>plain: one row per sequence, causal attention plus a key-padding mask;
 *   <li>shared prefix: rows 2i and 2i+1 (a preference pair) share their longest common prefix P, so they run as ONE
 *       row {@code [P, suffix of 2i, suffix of 2i+1]}. Suffix tokens keep their original position ids, and a suffix
 *       sees the prefix and itself but never the other suffix. Every hidden state is then the same as in the plain
 *       layout (exactly, up to float rounding), at about half the cost when the prompt dominates.
 * </ul>
 *
 * Attention rule for query i and key j of a row: {@code j <= i && seg[j] >= 0 && (seg[j] == 0 || seg[j] == seg[i])}
 * with seg -1 for padding, 0 for a shared prefix (or a whole plain row), 1 and 2 for the two suffixes.
 *
 * <p>Scoring: entry n says that the hidden state at (scoreRow[n], scorePos[n]) predicts token scoreTarget[n] of
 * sequence scoreSeq[n]; a sequence's log-prob is the sum of its entries (TokenBatch's rule).
 *
 * @param ids         [R][L] token ids per run row (0 on padding)
 * @param positions   [R][L] position ids
 * @param segments    [R][L] segment per token as above
 * @param scoreRow    run row of each scored prediction
 * @param scorePos    position within the run row of the predicting hidden state
 * @param scoreTarget the token predicted
 * @param scoreSeq    the TokenBatch sequence it counts for
 * @param numSeqs     B of the TokenBatch
 */
public record Layout(int[][] ids, int[][] positions, int[][] segments, int[] scoreRow, int[] scorePos,
    int[] scoreTarget, int[] scoreSeq, int numSeqs) {

  public int rows() {
    return ids.length;
  }

  public int length() {
    return ids.length == 0 ? 0 : ids[0].length;
  }

  /** Flat row index (row * L + pos) of each scored hidden state. */
  public int[] scoreFlat() {
    int[] f = new int[scorePos.length];
    for (int n = 0; n < f.length; n++) f[n] = scoreRow[n] * length() + scorePos[n];
    return f;
  }

  /** Response tokens per sequence. */
  public int[] responseTokens() {
    int[] c = new int[numSeqs];
    for (int s : scoreSeq) c[s]++;
    return c;
  }

  /** One row per sequence. */
  public static Layout plain(TokenBatch b) {
    int B = b.batchSize(), T = b.seqLen();
    int[][] pos = new int[B][T], seg = new int[B][T];
    Scores sc = new Scores();
    for (int r = 0; r < B; r++) {
      for (int t = 0; t < T; t++) {
        pos[r][t] = t;
        seg[r][t] = b.attentionMask()[r][t] == 1 ? 0 : -1;
        if (t > 0 && b.responseMask()[r][t] == 1) sc.add(r, t - 1, b.inputIds()[r][t], r);
      }
    }
    return new Layout(b.inputIds(), pos, seg, sc.row(), sc.pos(), sc.target(), sc.seq(), B);
  }

  /**
   * Shared-prefix layout for a batch of pairs (rows 2i, 2i+1), or the plain layout when the batch size is odd or
   * sharing would save less than 10% of the token slots.
   */
  public static Layout sharedPrefix(TokenBatch b) {
    int B = b.batchSize(), T = b.seqLen();
    if (B % 2 != 0 || B == 0) return plain(b);
    int pairs = B / 2;
    int[] prefix = new int[pairs], lenA = new int[pairs], lenB = new int[pairs];
    int L = 1;
    for (int i = 0; i < pairs; i++) {
      lenA[i] = realLength(b, 2 * i);
      lenB[i] = realLength(b, 2 * i + 1);
      int p = 0;
      while (p < lenA[i] && p < lenB[i] && b.inputIds()[2 * i][p] == b.inputIds()[2 * i + 1][p]) p++;
      prefix[i] = p;
      L = Math.max(L, lenA[i] + lenB[i] - p);
    }
    if ((long) pairs * L >= 0.9 * B * T) return plain(b);
    int[][] ids = new int[pairs][L], pos = new int[pairs][L], seg = new int[pairs][L];
    Scores sc = new Scores();
    for (int i = 0; i < pairs; i++) {
      java.util.Arrays.fill(seg[i], -1);
      int p = prefix[i];
      for (int t = 0; t < p; t++) place(ids, pos, seg, i, t, b.inputIds()[2 * i][t], t, 0);
      int[] starts = {p, lenA[i]}; // run-row index where suffix A, then suffix B, begins
      for (int k = 0; k < 2; k++) {
        int r = 2 * i + k, len = k == 0 ? lenA[i] : lenB[i], start = starts[k];
        for (int t = p; t < len; t++) place(ids, pos, seg, i, start + t - p, b.inputIds()[r][t], t, k + 1);
        for (int t = 1; t < len; t++) {
          if (b.responseMask()[r][t] != 1) continue;
          int from = t - 1 < p ? t - 1 : start + (t - 1 - p); // the hidden state at original position t-1
          sc.add(i, from, b.inputIds()[r][t], r);
        }
      }
    }
    return new Layout(ids, pos, seg, sc.row(), sc.pos(), sc.target(), sc.seq(), B);
  }

  private static void place(int[][] ids, int[][] pos, int[][] seg, int row, int at, int id, int p, int s) {
    ids[row][at] = id;
    pos[row][at] = p;
    seg[row][at] = s;
  }

  private static int realLength(TokenBatch b, int r) {
    int n = 0;
    for (int t = 0; t < b.seqLen(); t++) if (b.attentionMask()[r][t] == 1) n = t + 1;
    return n;
  }

  /** Additive attention mask [R, 1, L, L]: 0 where query i may see key j, -1e30 elsewhere. Written in place. */
  public INDArray attentionMask() {
    int R = rows(), L = length();
    INDArray mask = Nd4j.createUninitialized(DataType.FLOAT, R, 1, L, L);
    FloatBuffer m = Parallel.floats(mask);
    for (int r = 0; r < R; r++) {
      int[] s = segments[r];
      for (int i = 0; i < L; i++) {
        int base = (r * L + i) * L;
        for (int j = 0; j < L; j++) {
          boolean ok = j <= i && s[j] >= 0 && (s[j] == 0 || s[j] == s[i]);
          m.put(base + j, ok ? 0f : -1e30f);
        }
      }
    }
    return mask;
  }

  /** Flat [R * L] arrays of ids or positions, for row gathers. */
  public static int[] flat(int[][] a) {
    int L = a.length == 0 ? 0 : a[0].length;
    int[] f = new int[a.length * L];
    for (int r = 0; r < a.length; r++) System.arraycopy(a[r], 0, f, r * L, L);
    return f;
  }

  /** A growable list of score entries. */
  private static final class Scores {
    private final java.util.List<int[]> list = new java.util.ArrayList<>();

    void add(int row, int pos, int target, int seq) {
      list.add(new int[] {row, pos, target, seq});
    }

    int[] row() {
      return col(0);
    }

    int[] pos() {
      return col(1);
    }

    int[] target() {
      return col(2);
    }

    int[] seq() {
      return col(3);
    }

    private int[] col(int k) {
      return list.stream().mapToInt(e -> e[k]).toArray();
    }
  }
}
