package io.raftlog.client;

import io.grpc.Status;
import io.raftlog.api.v1.Record;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The callers' side of a {@link Producer}: the open batch, the sealed batches waiting for the
 * sender, and the bound on bytes not yet acknowledged.
 *
 * <p>Owned by one {@link Producer}. Caller threads append, seal and close; the sender thread drains
 * sealed batches and releases bytes once a batch is answered. Everything here is guarded by one
 * lock, so it is safe from any thread; a caller blocks on it only while the buffer is full.
 */
final class RecordAccumulator {
  /** The framing of one record inside a batch, counted against the buffer with the record. */
  private static final int RECORD_OVERHEAD = 8;

  private final ClientOptions options;
  private final Runnable wakeSender;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition spaceFreed = lock.newCondition();
  private final ArrayDeque<ProducerBatch> sealed = new ArrayDeque<>();
  private ProducerBatch open;
  private ProducerBatch lastSealed;
  private long bufferedBytes;
  private boolean closing;

  /**
   * @param wakeSender called (under the lock, so it must not block) when a batch opens, since the
   *     sender times its linger, and when one is sealed, since it can be sent
   */
  RecordAccumulator(ClientOptions options, Runnable wakeSender) {
    this.options = options;
    this.wakeSender = wakeSender;
  }

  // ---- caller threads

  /**
   * Adds {@code record} to the open batch and returns the future of its offset; blocks while the
   * buffer is full, up to the max block time.
   *
   * @throws RaftlogException {@code RESOURCE_EXHAUSTED} if the buffer stays full
   * @throws IllegalArgumentException if the record is larger than the whole buffer
   * @throws IllegalStateException if the producer is closed
   */
  CompletableFuture<Long> append(Record record) {
    CompletableFuture<Long> offset = new CompletableFuture<>();
    int size = sizeOf(record);
    lock.lock();
    try {
      reserve(size);
      append(record, size, offset);
    } finally {
      lock.unlock();
    }
    return offset;
  }

  /**
   * Appends every record of {@code records} back to back, holding the lock so no other caller's
   * record comes between them, and seals the batch at once; the offset futures in order.
   */
  List<CompletableFuture<Long>> appendAllAndSeal(List<Record> records) {
    List<CompletableFuture<Long>> offsets = new ArrayList<>(records.size());
    lock.lock();
    try {
      for (Record r : records) {
        int size = sizeOf(r);
        reserve(size);
        CompletableFuture<Long> f = new CompletableFuture<>();
        append(r, size, f);
        offsets.add(f);
      }
      if (open != null) {
        seal();
      }
    } finally {
      lock.unlock();
    }
    return offsets;
  }

  /**
   * Seals the open batch without waiting for its linger; the {@link ProducerBatch#done} of the last
   * batch sealed, or null if none ever was. Batches finish in order, so that future tells when
   * every record appended before this call is finished.
   */
  CompletableFuture<Void> sealOpen() {
    lock.lock();
    try {
      if (open != null) {
        seal();
      }
      return lastSealed == null ? null : lastSealed.done;
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
    } finally {
      lock.unlock();
    }
  }

  private int sizeOf(Record record) {
    int size = record.getSerializedSize() + RECORD_OVERHEAD;
    if (size > options.bufferBytes()) {
      throw new IllegalArgumentException(
          "record of " + size + " bytes is larger than the producer's whole buffer");
    }
    return size;
  }

  private void reserve(int size) {
    if (closing) {
      throw new IllegalStateException("producer is closed");
    }
    long waitNanos = options.maxBlock().toNanos();
    while (bufferedBytes + size > options.bufferBytes()) {
      if (open != null) {
        seal(); // what is buffered must move for space to come back
      }
      if (waitNanos <= 0) {
        throw new RaftlogException(
            Status.Code.RESOURCE_EXHAUSTED,
            String.format(
                "producer buffer full: %d bytes wait for acknowledgement (buffer %d bytes) and"
                    + " none was freed within %d ms; the cluster is slower than the sends",
                bufferedBytes, options.bufferBytes(), options.maxBlock().toMillis()),
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

  private void append(Record record, int size, CompletableFuture<Long> offset) {
    if (open != null && open.bytes + size > options.batchBytes()) {
      seal();
    }
    if (open == null) {
      open = new ProducerBatch(System.nanoTime());
      wakeSender.run(); // the sender times the linger from now
    }
    open.records.add(record);
    open.offsets.add(offset);
    open.bytes += size;
    if (open.bytes >= options.batchBytes()) {
      seal();
    }
  }

  private void seal() {
    sealed.add(open);
    lastSealed = open;
    open = null;
    wakeSender.run();
  }

  // ---- the sender thread

  /**
   * Up to {@code room} sealed batches, oldest first, for the sender to send now. When nothing is
   * sealed and there is room, an open batch whose linger has passed at {@code nowNanos} is sealed
   * and sent.
   */
  List<ProducerBatch> drain(int room, long nowNanos) {
    List<ProducerBatch> out = new ArrayList<>();
    lock.lock();
    try {
      if (open != null
          && sealed.isEmpty()
          && room > 0
          && nowNanos - open.createdNanos >= options.linger().toNanos()) {
        seal();
      }
      while (room-- > 0 && !sealed.isEmpty()) {
        out.add(sealed.poll());
      }
    } finally {
      lock.unlock();
    }
    return out;
  }

  /**
   * Whether the producer is closing and holds no batch, open or sealed. Once true it stays true:
   * after {@link #close} nothing is appended again.
   */
  boolean closedAndEmpty() {
    lock.lock();
    try {
      return closing && open == null && sealed.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Nanoseconds from {@code nowNanos} until the open batch's linger ends (negative once it has), or
   * {@link Long#MAX_VALUE} when no batch is open.
   */
  long nanosToLingerEnd(long nowNanos) {
    lock.lock();
    try {
      return open == null
          ? Long.MAX_VALUE
          : open.createdNanos + options.linger().toNanos() - nowNanos;
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
}
