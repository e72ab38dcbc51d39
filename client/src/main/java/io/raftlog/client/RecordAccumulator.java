package io.raftlog.client;

import io.grpc.Status;
import io.raftlog.api.v1.Record;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;

/**
 * The callers' side of a {@link Producer}: per shard, the open batch and the sealed batches waiting
 * for the sender; and the bound on bytes not yet acknowledged, shared by all shards.
 *
 * <p>A record goes to the open batch of its stream's shard (the {@link Router} says which), into
 * that batch's part for its stream. So records of many streams of one shard travel in one batch
 * (writing round robin over 100,000 streams still fills batches), each stream's records stay in
 * send order within a batch, and a shard's batches are sealed, numbered and sent in order: a
 * stream's records are appended in the order of their sends.
 *
 * <p>Owned by one {@link Producer}. Caller threads append, seal and close; the sender thread drains
 * sealed batches and releases bytes once a batch is answered. Everything here is guarded by one
 * lock, so it is safe from any thread; a caller blocks on it only while the buffer is full. Finding
 * a stream's shard happens before the lock, and may block while the client does not know the
 * cluster's slot map yet.
 */
final class RecordAccumulator {
  /** The framing of one record inside a batch, counted against the buffer with the record. */
  private static final int RECORD_OVERHEAD = 8;

  /** The framing of one part of a batch, counted against the batch size with the stream's name. */
  private static final int PART_OVERHEAD = 8;

  /** Which shard holds a stream. */
  @FunctionalInterface
  interface Router {
    /**
     * The shard of {@code stream}, waiting up to {@code maxWaitNanos} if it is not known yet.
     *
     * @throws RaftlogException if it stays unknown
     */
    int shardOf(String stream, long maxWaitNanos);
  }

  private final int batchBytes;
  private final long bufferBytes;
  private final long lingerNanos;
  private final long maxBlockNanos;
  private final Router router;
  private final Runnable wakeSender;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition spaceFreed = lock.newCondition();
  private final Map<Integer, ShardQueue> queues = new HashMap<>();
  private long bufferedBytes;
  private boolean closing;

  /**
   * @param wakeSender called (under the lock, so it must not block) when a batch opens, since the
   *     sender times its linger, and when one is sealed, since it can be sent
   */
  RecordAccumulator(ClientOptions options, Router router, Runnable wakeSender) {
    this.batchBytes = options.get(ClientSettings.BATCH_BYTES);
    this.bufferBytes = options.get(ClientSettings.BUFFER_BYTES);
    this.lingerNanos = options.get(ClientSettings.LINGER).toNanos();
    this.maxBlockNanos = options.get(ClientSettings.MAX_BLOCK).toNanos();
    this.router = router;
    this.wakeSender = wakeSender;
  }

  // ---- caller threads

  /**
   * Adds {@code record} to the open batch of {@code stream}'s shard and returns the future of its
   * offset in the stream; blocks while the buffer is full or the stream's shard is not known, up to
   * the max block time in all.
   *
   * @throws RaftlogException {@code RESOURCE_EXHAUSTED} if the buffer stays full, {@code
   *     UNAVAILABLE} if the shard stays unknown
   * @throws IllegalArgumentException if the record is larger than the whole buffer
   * @throws IllegalStateException if the producer is closed
   */
  CompletableFuture<Long> append(String stream, Record record) {
    CompletableFuture<Long> offset = new CompletableFuture<>();
    int size = sizeOf(record);
    long start = System.nanoTime();
    checkOpen();
    int shard = router.shardOf(stream, maxBlockNanos);
    lock.lock();
    try {
      reserve(size, maxBlockNanos - (System.nanoTime() - start));
      append(queue(shard), stream, record, size, offset);
    } finally {
      lock.unlock();
    }
    return offset;
  }

  /**
   * Appends every record of {@code records} to {@code stream} back to back, holding the lock so no
   * other caller's record comes between them, and seals the shard's batch at once; the offset
   * futures in order. With an {@code expectedOffset} the records go in a batch of their own, never
   * split and shared with no other stream, since the log refuses such a batch as a whole.
   */
  List<CompletableFuture<Long>> appendAllAndSeal(
      String stream, List<Record> records, Long expectedOffset) {
    List<CompletableFuture<Long>> offsets = new ArrayList<>(records.size());
    long total = 0;
    int[] sizes = new int[records.size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = sizeOf(records.get(i));
      total += sizes[i];
    }
    if (expectedOffset != null && total > bufferBytes) {
      throw new IllegalArgumentException(
          "records of " + total + " bytes are more than the producer's whole buffer");
    }
    long end = System.nanoTime() + maxBlockNanos;
    checkOpen();
    int shard = router.shardOf(stream, maxBlockNanos);
    lock.lock();
    try {
      ShardQueue q = queue(shard);
      if (expectedOffset != null) {
        reserve(total, end - System.nanoTime());
        if (q.open != null) {
          seal(q);
        }
        ProducerBatch b = new ProducerBatch(shard, System.nanoTime());
        b.expectedOffset = expectedOffset;
        for (int i = 0; i < sizes.length; i++) {
          CompletableFuture<Long> f = new CompletableFuture<>();
          b.add(stream, records.get(i), f);
          b.bytes += sizes[i];
          offsets.add(f);
        }
        b.size = b.bytes + partCost(stream);
        q.open = b;
        seal(q);
        return offsets;
      }
      for (int i = 0; i < sizes.length; i++) {
        reserve(sizes[i], end - System.nanoTime());
        CompletableFuture<Long> f = new CompletableFuture<>();
        append(q, stream, records.get(i), sizes[i], f);
        offsets.add(f);
      }
      if (q.open != null) {
        seal(q);
      }
    } finally {
      lock.unlock();
    }
    return offsets;
  }

  /**
   * Seals every open batch without waiting for its linger; a future that completes once the last
   * batch sealed in every shard is done, or null if none ever was. A shard's batches finish in
   * order, so that future tells when every record appended before this call is finished.
   */
  CompletableFuture<Void> sealOpen() {
    lock.lock();
    try {
      List<CompletableFuture<Void>> last = new ArrayList<>();
      for (ShardQueue q : queues.values()) {
        if (q.open != null) {
          seal(q);
        }
        if (q.lastSealed != null) {
          last.add(q.lastSealed.done);
        }
      }
      return last.isEmpty()
          ? null
          : CompletableFuture.allOf(last.toArray(CompletableFuture<?>[]::new));
    } finally {
      lock.unlock();
    }
  }

  boolean isClosing() {
    lock.lock();
    try {
      return closing;
    } finally {
      lock.unlock();
    }
  }

  /** From now on appends fail, and so do callers still waiting for space. */
  void close() {
    lock.lock();
    try {
      closing = true;
      spaceFreed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void checkOpen() {
    if (isClosing()) {
      throw new IllegalStateException("producer is closed");
    }
  }

  private int sizeOf(Record record) {
    int size = record.getSerializedSize() + RECORD_OVERHEAD;
    if (size > bufferBytes) {
      throw new IllegalArgumentException(
          "record of " + size + " bytes is larger than the producer's whole buffer");
    }
    return size;
  }

  private static int partCost(String stream) {
    return stream.length() + PART_OVERHEAD; // names are ASCII: one byte a character
  }

  private ShardQueue queue(int shard) {
    return queues.computeIfAbsent(shard, ShardQueue::new);
  }

  private void reserve(long size, long waitNanos) {
    if (closing) {
      throw new IllegalStateException("producer is closed");
    }
    while (bufferedBytes + size > bufferBytes) {
      for (ShardQueue q : queues.values()) {
        if (q.open != null) {
          seal(q); // what is buffered must move for space to come back
        }
      }
      if (waitNanos <= 0) {
        throw new RaftlogException(
            Status.Code.RESOURCE_EXHAUSTED,
            String.format(
                "producer buffer full: %d bytes wait for acknowledgement (buffer %d bytes) and"
                    + " none was freed within %d ms; the cluster is slower than the sends",
                bufferedBytes, bufferBytes, maxBlockNanos / 1_000_000),
            null);
      }
      try {
        waitNanos = spaceFreed.awaitNanos(waitNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RaftlogException(Status.Code.CANCELLED, "interrupted while waiting", e);
      }
      if (closing) {
        throw new IllegalStateException("producer is closed");
      }
    }
    bufferedBytes += size;
  }

  private void append(
      ShardQueue q, String stream, Record record, int size, CompletableFuture<Long> offset) {
    long cost = size + (q.open != null && q.open.parts.containsKey(stream) ? 0 : partCost(stream));
    if (q.open != null && q.open.size + cost > batchBytes) {
      seal(q);
      cost = size + partCost(stream);
    }
    if (q.open == null) {
      q.open = new ProducerBatch(q.shard, System.nanoTime());
      wakeSender.run(); // the sender times the linger from now
    }
    q.open.add(stream, record, offset);
    q.open.bytes += size;
    q.open.size += cost;
    if (q.open.size >= batchBytes) {
      seal(q);
    }
  }

  private void seal(ShardQueue q) {
    q.sealed.add(q.open);
    q.lastSealed = q.open;
    q.open = null;
    wakeSender.run();
  }

  // ---- the sender thread

  /**
   * Sealed batches, oldest first within each shard, for the sender to send now: up to {@code
   * roomOf(shard)} of each shard. When nothing of a shard is sealed and it has room, its open batch
   * is sealed and sent if its linger has passed at {@code nowNanos}.
   */
  List<ProducerBatch> drain(IntUnaryOperator roomOf, long nowNanos) {
    List<ProducerBatch> out = new ArrayList<>();
    lock.lock();
    try {
      for (ShardQueue q : queues.values()) {
        if (q.open == null && q.sealed.isEmpty()) {
          continue;
        }
        int room = roomOf.applyAsInt(q.shard);
        if (q.open != null
            && q.sealed.isEmpty()
            && room > 0
            && nowNanos - q.open.createdNanos >= lingerNanos) {
          seal(q);
        }
        while (room-- > 0 && !q.sealed.isEmpty()) {
          out.add(q.sealed.poll());
        }
      }
    } finally {
      lock.unlock();
    }
    return out;
  }

  /** As {@link #drain(IntUnaryOperator, long)} with the same room for every shard. */
  List<ProducerBatch> drain(int room, long nowNanos) {
    return drain(shard -> room, nowNanos);
  }

  /**
   * Whether the producer is closing and holds no batch, open or sealed. Once true it stays true:
   * after {@link #close} nothing is appended again.
   */
  boolean closedAndEmpty() {
    lock.lock();
    try {
      if (!closing) {
        return false;
      }
      for (ShardQueue q : queues.values()) {
        if (q.open != null || !q.sealed.isEmpty()) {
          return false;
        }
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Nanoseconds from {@code nowNanos} until the first linger ends among the open batches of the
   * shards {@code sendable} accepts (negative once it has), or {@link Long#MAX_VALUE} when none is
   * open.
   */
  long nanosToLingerEnd(long nowNanos, IntPredicate sendable) {
    lock.lock();
    try {
      long min = Long.MAX_VALUE;
      for (ShardQueue q : queues.values()) {
        if (q.open != null && sendable.test(q.shard)) {
          min = Math.min(min, q.open.createdNanos + lingerNanos - nowNanos);
        }
      }
      return min;
    } finally {
      lock.unlock();
    }
  }

  /** Gives back the bytes of a batch that was answered or failed, and wakes blocked callers. */
  void release(long bytes) {
    lock.lock();
    try {
      bufferedBytes -= bytes;
      spaceFreed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Bytes reserved and not yet released. */
  long bufferedBytes() {
    lock.lock();
    try {
      return bufferedBytes;
    } finally {
      lock.unlock();
    }
  }

  /** One shard's batches: the open one and those sealed and not yet drained, oldest first. */
  private static final class ShardQueue {
    final int shard;
    final ArrayDeque<ProducerBatch> sealed = new ArrayDeque<>();
    ProducerBatch open;
    ProducerBatch lastSealed;

    ShardQueue(int shard) {
      this.shard = shard;
    }
  }
}
