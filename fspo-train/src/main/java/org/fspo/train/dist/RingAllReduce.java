package org.fspo.train.dist;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sums a float array across N workers, every worker ending with the same bits: the standard ring all-reduce
 * (Patarasuk and Yuan 2009; what NCCL and Horovod do on a ring). The array is cut into N segments; in N-1
 * reduce-scatter steps each worker sends one segment to its right neighbour and adds the one arriving from its left,
 * so worker r ends owning the full sum of segment (r+1) mod N; in N-1 all-gather steps the owned sums travel round
 * the ring and overwrite the stale copies. Each worker sends and receives 2(N-1)/N of the array in total, which is
 * why its time is bandwidth-bound and nearly independent of N.
 *
 * <p>Transport: one TCP connection to the right neighbour (this side writes) and one from the left (this side reads),
 * set up once. Every step streams its segment in {@link #CHUNK_FLOATS}-float chunks from a sender thread while this
 * thread reads and adds the incoming chunks, so sending, receiving and adding overlap (pipelining) and two
 * neighbours writing at once cannot deadlock on full socket buffers.
 *
 * <p>Determinism: element i of segment j is summed in the fixed ring order j+1, j+2, ..., j (mod N), so the same
 * inputs on the same N give the same bits on every worker and every run; the order differs from a sequential
 * sum, so float results agree with one within summation-order rounding (integers are exact).
 *
 * <p>Not Spark-specific: addresses come from the caller (in a barrier stage, {@code BarrierTaskContext.allGather}).
 */
public final class RingAllReduce implements AutoCloseable {
  static final int CHUNK_FLOATS = 1 << 18; // 1 MiB per chunk

  private final int rank;
  private final int world;
  private final Socket right;
  private final Socket left;
  private final DataOutputStream toRight;
  private final DataInputStream fromLeft;
  private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "allreduce-send");
    t.setDaemon(true);
    return t;
  });

  /**
   * Connects the ring. Every worker must call this at about the same time with the same address list.
   *
   * @param listener this worker's bound server socket, whose address is {@code addresses.get(rank)}
   * @param addresses every worker's listening address, indexed by rank
   */
  public static RingAllReduce connect(int rank, ServerSocket listener, List<InetSocketAddress> addresses)
      throws IOException {
    int world = addresses.size();
    if (world == 1) {
      return new RingAllReduce(0, 1, null, null);
    }
    InetSocketAddress next = addresses.get((rank + 1) % world);
    ExecutorService connector = Executors.newSingleThreadExecutor();
    try {
      Future<Socket> outgoing = connector.submit(() -> connectWithRetry(next));
      Socket incoming = listener.accept(); // the left neighbour connects to us
      Socket out = outgoing.get();
      return new RingAllReduce(rank, world, out, incoming);
    } catch (InterruptedException | ExecutionException e) {
      throw new IOException("rank " + rank + ": cannot connect to " + next + " (" + e.getCause() + ")", e);
    } finally {
      connector.shutdownNow();
    }
  }

  private static Socket connectWithRetry(InetSocketAddress address) throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 0; attempt < 100; attempt++) { // neighbours start at slightly different times
      try {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(address, 10_000);
        return s;
      } catch (IOException e) {
        last = e;
        Thread.sleep(50);
      }
    }
    throw last;
  }

  private RingAllReduce(int rank, int world, Socket right, Socket left) throws IOException {
    this.rank = rank;
    this.world = world;
    this.right = right;
    this.left = left;
    this.toRight = right == null ? null : new DataOutputStream(new BufferedOutputStream(right.getOutputStream(), 1 << 20));
    this.fromLeft = left == null ? null : new DataInputStream(new BufferedInputStream(left.getInputStream(), 1 << 20));
  }

  public int rank() {
    return rank;
  }

  public int world() {
    return world;
  }

  /** Replaces {@code data} by the element-wise sum of every worker's {@code data} (all workers pass equal lengths). */
  public void sum(float[] data) {
    if (world == 1) {
      return;
    }
    int n = data.length;
    // segment s is [start(s), start(s+1)): sizes differ by at most one, so any length works (even n < world)
    for (int step = 0; step < world - 1; step++) { // reduce-scatter
      int send = Math.floorMod(rank - step, world), recv = Math.floorMod(rank - step - 1, world);
      exchange(data, start(send, n), start(send + 1, n), start(recv, n), start(recv + 1, n), true);
    }
    for (int step = 0; step < world - 1; step++) { // all-gather
      int send = Math.floorMod(rank + 1 - step, world), recv = Math.floorMod(rank - step, world);
      exchange(data, start(send, n), start(send + 1, n), start(recv, n), start(recv + 1, n), false);
    }
  }

  /**
   * Every worker's {@code values} (equal lengths on all workers), indexed by rank: each array travels N-1 hops round
   * the ring. For small control data (metric sums, weight hashes); doubles go as their raw bits.
   */
  public long[][] allGather(long[] values) {
    long[][] all = new long[world][];
    all[rank] = values.clone();
    for (int step = 0; step < world - 1; step++) {
      long[] out = all[Math.floorMod(rank - step, world)];
      int from = Math.floorMod(rank - step - 1, world);
      Future<?> sent = sender.submit(() -> {
        for (long v : out) toRight.writeLong(v);
        toRight.flush();
        return null;
      });
      try {
        long[] in = new long[values.length];
        for (int i = 0; i < in.length; i++) in[i] = fromLeft.readLong();
        all[from] = in;
        sent.get();
      } catch (IOException e) {
        throw new UncheckedIOException("all-gather rank " + rank + ": lost the left neighbour (" + e.getMessage()
            + ")", e);
      } catch (InterruptedException | ExecutionException e) {
        throw new IllegalStateException("all-gather rank " + rank + ": lost the right neighbour (" + e.getCause()
            + ")", e);
      }
    }
    return all;
  }

  private int start(int segment, int n) {
    return (int) ((long) segment * n / world);
  }

  /** Streams data[sendFrom, sendTo) to the right while reading data[recvFrom, recvTo) from the left. */
  private void exchange(float[] data, int sendFrom, int sendTo, int recvFrom, int recvTo, boolean add) {
    Future<?> sent = sender.submit(() -> {
      writeFloats(data, sendFrom, sendTo);
      return null;
    });
    ByteBuffer buf = ByteBuffer.allocate(CHUNK_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
    try {
      for (int at = recvFrom; at < recvTo; at += CHUNK_FLOATS) {
        int count = Math.min(CHUNK_FLOATS, recvTo - at);
        fromLeft.readFully(buf.array(), 0, count * 4);
        buf.clear();
        for (int i = 0; i < count; i++) {
          float v = buf.getFloat();
          data[at + i] = add ? data[at + i] + v : v;
        }
        buf.clear();
      }
      sent.get();
    } catch (IOException e) {
      throw new UncheckedIOException("all-reduce rank " + rank + ": lost the left neighbour (" + e.getMessage() + ")",
          e);
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("all-reduce rank " + rank + ": lost the right neighbour (" + e.getCause() + ")",
          e);
    }
  }

  private void writeFloats(float[] data, int from, int to) throws IOException {
    // The reader adds the received segment in place while we send ours: the two never overlap within a step
    // (send and receive segments differ when world > 1).
    ByteBuffer buf = ByteBuffer.allocate(CHUNK_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = from; at < to; at += CHUNK_FLOATS) {
      int count = Math.min(CHUNK_FLOATS, to - at);
      buf.clear();
      for (int i = 0; i < count; i++) buf.putFloat(data[at + i]);
      toRight.write(buf.array(), 0, count * 4);
    }
    toRight.flush();
  }

  @Override
  public void close() {
    sender.shutdownNow();
    try {
      if (right != null) right.close();
      if (left != null) left.close();
    } catch (IOException ignored) {
      // closing a finished ring: nothing to recover
    }
  }
}
