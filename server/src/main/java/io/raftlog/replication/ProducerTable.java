package io.raftlog.replication;

import io.raftlog.wire.WireLimits;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one shard remembers of each idempotent producer: its last {@link
 * WireLimits#IDEMPOTENCE_WINDOW} batches in this shard, so a retry of any of them is answered with
 * the original offsets of every part instead of being appended again. Sequences count per
 * (producer, shard): each shard's state machine owns one table, stored in its store's {@code p}
 * keys.
 *
 * <p>Replicated state: it changes only while applying Raft entries, and is ordered by the Raft
 * index of each producer's last batch, so every replica keeps and evicts the same producers. At
 * most {@code maxProducers} are kept; the one whose last batch is oldest is forgotten first. A
 * forgotten producer's next batch is accepted as new, whatever its sequence.
 */
final class ProducerTable {
  /** Where one part of a batch went: its stream's offsets {@code baseOffset .. + count - 1}. */
  record PartRef(long baseOffset, int count) {}

  /** The offsets one batch got, part by part in the batch's order. */
  record BatchRef(long sequence, List<PartRef> parts) {
    BatchRef {
      parts = List.copyOf(parts);
    }

    /** A batch of one part. */
    static BatchRef single(long sequence, long baseOffset, int count) {
      return new BatchRef(sequence, List.of(new PartRef(baseOffset, count)));
    }
  }

  /** A producer's recent batches, newest last, and the Raft index of its last batch. */
  record Producer(long lastIndex, List<BatchRef> recent) {
    long lastSequence() {
      return recent.get(recent.size() - 1).sequence();
    }
  }

  sealed interface Check {}

  record Accept() implements Check {}

  record Duplicate(BatchRef batch) implements Check {}

  record Reject(String reason) implements Check {}

  private final int maxProducers;
  // Insertion order = order of last use; re-inserting on use keeps the oldest first.
  private final LinkedHashMap<Long, Producer> byLastUse = new LinkedHashMap<>();

  ProducerTable(int maxProducers) {
    this.maxProducers = maxProducers;
  }

  static ProducerTable load(Map<Long, byte[]> stored, int maxProducers) {
    ProducerTable t = new ProducerTable(maxProducers);
    stored.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), decode(e.getValue())))
        .sorted(Comparator.comparingLong(e -> e.getValue().lastIndex()))
        .forEach(e -> t.byLastUse.put(e.getKey(), e.getValue()));
    return t;
  }

  int size() {
    return byLastUse.size();
  }

  Check check(long producerId, long sequence) {
    Producer p = byLastUse.get(producerId);
    if (p == null) {
      return new Accept();
    }
    for (BatchRef b : p.recent()) {
      if (b.sequence() == sequence) {
        return new Duplicate(b);
      }
    }
    long last = p.lastSequence();
    // Sequences are uint64 on the wire: compared and printed unsigned, so 2^63 follows 2^63-1.
    if (Long.compareUnsigned(sequence, last) <= 0) {
      return new Reject(
          "sequence "
              + Long.toUnsignedString(sequence)
              + " of producer "
              + Long.toUnsignedString(producerId)
              + " is older than the last "
              + WireLimits.IDEMPOTENCE_WINDOW
              + " batches the log remembers (last sequence "
              + Long.toUnsignedString(last)
              + "): it cannot tell whether that batch was appended");
    }
    if (sequence != last + 1) {
      return new Reject(
          "sequence "
              + Long.toUnsignedString(sequence)
              + " of producer "
              + Long.toUnsignedString(producerId)
              + " is out of order: the next expected sequence is "
              + Long.toUnsignedString(last + 1));
    }
    return new Accept();
  }

  /**
   * Remembers an appended batch and returns the ids of the producers forgotten to stay within the
   * bound, so the caller can delete them from storage in the same write.
   */
  List<Long> remember(long producerId, BatchRef batch, long raftIndex) {
    Producer old = byLastUse.remove(producerId);
    ArrayDeque<BatchRef> recent = new ArrayDeque<>(old == null ? List.of() : old.recent());
    recent.addLast(batch);
    while (recent.size() > WireLimits.IDEMPOTENCE_WINDOW) {
      recent.removeFirst();
    }
    byLastUse.put(producerId, new Producer(raftIndex, List.copyOf(recent)));
    List<Long> evicted = new ArrayList<>();
    Iterator<Long> oldest = byLastUse.keySet().iterator();
    while (byLastUse.size() > maxProducers) {
      evicted.add(oldest.next());
      oldest.remove();
    }
    return evicted;
  }

  /**
   * The producer's stored form: last Raft index (8 bytes), batch count (4), then per batch its
   * sequence (8), part count (4) and per part base offset (8) and record count (4); big-endian.
   */
  byte[] encoded(long producerId) {
    Producer p = byLastUse.get(producerId);
    int size = 12;
    for (BatchRef b : p.recent()) {
      size += 12 + b.parts().size() * 12;
    }
    ByteBuffer buf = ByteBuffer.allocate(size);
    buf.putLong(p.lastIndex()).putInt(p.recent().size());
    for (BatchRef b : p.recent()) {
      buf.putLong(b.sequence()).putInt(b.parts().size());
      for (PartRef part : b.parts()) {
        buf.putLong(part.baseOffset()).putInt(part.count());
      }
    }
    return buf.array();
  }

  private static Producer decode(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    long lastIndex = buf.getLong();
    int n = buf.getInt();
    List<BatchRef> recent = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long sequence = buf.getLong();
      int parts = buf.getInt();
      List<PartRef> refs = new ArrayList<>(parts);
      for (int j = 0; j < parts; j++) {
        refs.add(new PartRef(buf.getLong(), buf.getInt()));
      }
      recent.add(new BatchRef(sequence, refs));
    }
    return new Producer(lastIndex, recent);
  }
}
