package org.fspo.train.dist;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link GradientSync} over a {@link RingAllReduce}. Arrays are packed, in name order, into buckets of up to
 * {@link #BUCKET_FLOATS} floats (PyTorch DDP's gradient buckets, 25 MB there): one ring all-reduce per bucket keeps
 * the per-call latency off small tensors (biases, norms) while bounding the extra copy to one bucket.
 */
public final class RingGradientSync implements GradientSync {
  static final int BUCKET_FLOATS = 1 << 24; // 64 MiB

  private final RingAllReduce ring;

  public RingGradientSync(RingAllReduce ring) {
    this.ring = ring;
  }

  @Override
  public int rank() {
    return ring.rank();
  }

  @Override
  public int world() {
    return ring.world();
  }

  @Override
  public void sum(LinkedHashMap<String, INDArray> arrays) {
    List<INDArray> bucket = new ArrayList<>();
    long size = 0;
    for (INDArray a : arrays.values()) {
      if (size > 0 && size + a.length() > BUCKET_FLOATS) {
        sumBucket(bucket, size);
        bucket.clear();
        size = 0;
      }
      bucket.add(a);
      size += a.length();
    }
    if (size > 0) sumBucket(bucket, size);
  }

  /** Copies the arrays into one float[] (C order), sums it round the ring, copies the sums back. */
  private void sumBucket(List<INDArray> bucket, long size) {
    float[] flat = new float[Math.toIntExact(size)];
    int at = 0;
    for (INDArray a : bucket) {
      float[] v = a.dup('c').data().asFloat();
      System.arraycopy(v, 0, flat, at, v.length);
      at += v.length;
    }
    ring.sum(flat);
    at = 0;
    for (INDArray a : bucket) {
      int n = Math.toIntExact(a.length());
      float[] part = java.util.Arrays.copyOfRange(flat, at, at + n);
      try (INDArray sum = Nd4j.createFromArray(part).reshape('c', a.shape())) {
        a.assign(sum);
      }
      at += n;
    }
  }

  @Override
  public long[][] gather(long[] values) {
    return ring.allGather(values);
  }

  @Override
  public void close() {
    ring.close();
  }
}
