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
 * What the log remembers of each idempotent producer: its last {@link
 * WireLimits#IDEMPOTENCE_WINDOW} batches, so a retry of any of them is answered with the original
 * offsets instead of being appended again.
 *
 * <p>Replicated state: it changes only while applying Raft entries, and is ordered by the Raft
 * index of each producer's last batch, so every replica keeps and evicts the same producers. At
 * most {@code maxProducers} are kept; the one whose last batch is oldest is forgotten first. A
 * forgotten producer's next batch is accepted as new, whatever its sequence.
 */
final class ProducerTable {
  /** The offsets one batch got. */
  record BatchRef(long sequence, long baseOffset, int count) {}

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
    if (sequence <= last) {
      return new Reject(
          "sequence "
              + sequence
              + " of producer "
              + Long.toUnsignedString(producerId)
              + " is older than the last "
              + WireLimits.IDEMPOTENCE_WINDOW
              + " batches the log remembers (last sequence "
              + last
              + "): it cannot tell whether that batch was appended");
    }
    if (sequence != last + 1) {
      return new Reject(
          "sequence "
              + sequence
              + " of producer "
              + Long.toUnsignedString(producerId)
              + " is out of order: the next expected sequence is "
              + (last + 1));
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

  byte[] encoded(long producerId) {
    Producer p = byLastUse.get(producerId);
    ByteBuffer buf = ByteBuffer.allocate(12 + p.recent().size() * 20);
    buf.putLong(p.lastIndex()).putInt(p.recent().size());
    for (BatchRef b : p.recent()) {
      buf.putLong(b.sequence()).putLong(b.baseOffset()).putInt(b.count());
    }
    return buf.array();
  }

  private static Producer decode(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    long lastIndex = buf.getLong();
    int n = buf.getInt();
    List<BatchRef> recent = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      recent.add(new BatchRef(buf.getLong(), buf.getLong(), buf.getInt()));
    }
    return new Producer(lastIndex, recent);
  }
}
