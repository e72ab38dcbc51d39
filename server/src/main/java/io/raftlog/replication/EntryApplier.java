package io.raftlog.replication;

import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.internal.v1.AppendBatch;
import io.raftlog.internal.v1.CommitOffset;
import io.raftlog.internal.v1.CreateStream;
import io.raftlog.internal.v1.DeleteConsumer;
import io.raftlog.internal.v1.DeleteStream;
import io.raftlog.internal.v1.ShardEntry;
import io.raftlog.internal.v1.TruncateStreams;
import io.raftlog.internal.v1.Truncation;
import io.raftlog.internal.v1.UpdateStream;
import io.raftlog.replication.AppendOutcome.Kind;
import io.raftlog.replication.AppendOutcome.PartOffsets;
import io.raftlog.replication.AppendOutcome.Rejected;
import io.raftlog.replication.ProducerTable.PartRef;
import io.raftlog.storage.ConsumerPosition;
import io.raftlog.storage.RetentionPolicy;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StoreBatch;
import io.raftlog.storage.StreamMeta;
import io.raftlog.wire.ExpectedOffsetMismatch;
import io.raftlog.wire.StreamNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of a shard entry: decides what each {@link ShardEntry} does to the shard's streams and
 * stages it in a store {@link StoreBatch}. Deterministic, so every replica stages the same bytes.
 * Owns the shard's {@link ProducerTable}. Used only by {@link LogStateMachine}, on the apply
 * thread.
 */
final class EntryApplier {
  private final int maxProducers;
  private ProducerTable producers;

  EntryApplier(RocksLogStore store, int maxProducers) {
    this.maxProducers = maxProducers;
    reload(store);
  }

  /** Reads the producer table back from the store (at start, and after a snapshot install). */
  void reload(RocksLogStore store) {
    producers = ProducerTable.load(store.producers(), maxProducers);
  }

  AppendOutcome apply(StoreBatch batch, ShardEntry entry, long index) {
    return switch (entry.getKindCase()) {
      case APPEND -> append(batch, entry.getAppend(), index);
      case CREATE -> create(batch, entry.getCreate());
      case DELETE -> delete(batch, entry.getDelete());
      case TRUNCATE -> truncate(batch, entry.getTruncate());
      case UPDATE -> update(batch, entry.getUpdate());
      case COMMIT -> commit(batch, entry.getCommit());
      case DELETE_CONSUMER -> deleteConsumer(batch, entry.getDeleteConsumer());
      // An entry of a kind this version does not know (a newer leader): applying it as nothing
      // would make this replica diverge, so the state machine stops instead.
      case KIND_NOT_SET ->
          throw new IllegalArgumentException("entry " + index + " is of an unknown kind");
    };
  }

  private AppendOutcome append(StoreBatch batch, AppendBatch entry, long index) {
    List<String> names = new ArrayList<>(entry.getPartsCount());
    for (StreamRecords part : entry.getPartsList()) {
      names.add(StreamNames.orDefault(part.getStream()));
    }
    long producerId = entry.getProducerId();
    // A retry is answered as the first copy was, whatever the streams look like now.
    if (producerId != 0) {
      ProducerTable.Check check = producers.check(producerId, entry.getSequence());
      if (check instanceof ProducerTable.Duplicate d) {
        return new AppendOutcome.Appended(offsets(names, d.batch().parts()), true);
      }
      if (check instanceof ProducerTable.Reject r) {
        return new Rejected(Kind.PRECONDITION, r.reason());
      }
    }
    for (String name : names) {
      String problem = StreamNames.problem(name);
      if (problem != null) {
        return new Rejected(Kind.INVALID, problem);
      }
      if (!batch.exists(name) && !entry.getCreateStreams()) {
        return new Rejected(
            Kind.NOT_FOUND,
            "stream '"
                + name
                + "' does not exist (streams.auto-create is off): create it with CreateStream");
      }
    }
    // Checked against each stream's offset after the batch's earlier parts, before anything is
    // staged: a rejected batch writes nothing.
    Map<String, Long> next = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      StreamRecords part = entry.getParts(i);
      long at = next.computeIfAbsent(names.get(i), batch::nextOffset);
      if (part.hasExpectedOffset() && part.getExpectedOffset() != at) {
        return new Rejected(new ExpectedOffsetMismatch(names.get(i), at, part.getExpectedOffset()));
      }
      next.put(names.get(i), at + part.getRecordsCount());
    }
    List<PartRef> refs = new ArrayList<>(names.size());
    RetentionPolicy retention = null; // of the streams the batch creates, once one does
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      // Also `default`, which exists without a meta key until its first write.
      if (batch.stream(name).isEmpty()) {
        if (retention == null) {
          retention = RetentionPolicy.of(entry.getCreateRetention());
        }
        batch.create(name, entry.getAppendTimeMs(), retention);
      }
      refs.add(appendPart(batch, name, entry.getParts(i), entry.getAppendTimeMs()));
    }
    if (producerId != 0) {
      ProducerTable.BatchRef ref = new ProducerTable.BatchRef(entry.getSequence(), refs);
      for (long evicted : producers.remember(producerId, ref, index)) {
        batch.deleteProducer(evicted);
      }
      batch.putProducer(producerId, producers.encoded(producerId));
    }
    return new AppendOutcome.Appended(offsets(names, refs), false);
  }

  private static PartRef appendPart(
      StoreBatch batch, String name, StreamRecords part, long appendTimeMs) {
    long base = batch.nextOffset(name);
    long assigned = -1; // the leader's time for this part's records without one, once needed
    for (Record r : part.getRecordsList()) {
      Record.Builder stored = r.toBuilder().setOffset(batch.nextOffset(name));
      // A producer's time is kept as given; the leader's never goes back within the stream.
      if (r.getTimestampMs() <= 0) {
        if (assigned < 0) {
          assigned = batch.assignTimestamp(name, appendTimeMs);
        }
        stored.setTimestampMs(assigned);
      }
      batch.append(name, stored.build());
    }
    return new PartRef(base, part.getRecordsCount());
  }

  private static List<PartOffsets> offsets(List<String> names, List<PartRef> refs) {
    List<PartOffsets> out = new ArrayList<>(refs.size());
    for (int i = 0; i < refs.size(); i++) {
      // A retry carries the same parts as the first copy, so its names are the first copy's.
      String name = i < names.size() ? names.get(i) : "";
      out.add(new PartOffsets(name, refs.get(i).baseOffset(), refs.get(i).count()));
    }
    return out;
  }

  private static AppendOutcome create(StoreBatch batch, CreateStream entry) {
    String name = entry.getStream();
    String problem = StreamNames.problem(name);
    if (problem != null) {
      return new Rejected(Kind.INVALID, problem);
    }
    if (batch.exists(name)) {
      return new Rejected(Kind.ALREADY_EXISTS, "stream '" + name + "' already exists");
    }
    batch.create(name, entry.getCreatedMs(), RetentionPolicy.of(entry.getRetention()));
    return new AppendOutcome.Created(batch.stream(name).orElseThrow());
  }

  private static AppendOutcome delete(StoreBatch batch, DeleteStream entry) {
    String name = entry.getStream();
    if (StreamNames.problem(name) != null || !batch.exists(name)) {
      return new Rejected(Kind.NOT_FOUND, "stream '" + name + "' does not exist");
    }
    long next = batch.nextOffset(name);
    batch.delete(name);
    return new AppendOutcome.Deleted(next);
  }

  /**
   * A client's Truncate (one stream) is checked whole first: NOT_FOUND, or OUT_OF_RANGE past the
   * next offset, and then nothing of the entry is applied. A retention truncation (the leader's
   * check, any number of streams) applies each stream on its own: one deleted meanwhile is skipped,
   * an offset past the end (records cannot go away, so only a bug) is lowered to it.
   */
  private static AppendOutcome truncate(StoreBatch batch, TruncateStreams entry) {
    for (Truncation t : entry.getStreamsList()) {
      if (t.getByRetention()) {
        continue;
      }
      String name = StreamNames.orDefault(t.getStream());
      if (!exists(batch, name)) {
        return notFound(name);
      }
      StreamMeta meta = batch.existing(name).orElseThrow();
      if (Long.compareUnsigned(t.getBeforeOffset(), meta.nextOffset()) > 0) {
        return new Rejected(
            Kind.OUT_OF_RANGE,
            "before_offset "
                + Long.toUnsignedString(t.getBeforeOffset())
                + " is past the next offset of stream '"
                + name
                + "' ("
                + range(meta)
                + ")");
      }
    }
    AppendOutcome first = null;
    for (Truncation t : entry.getStreamsList()) {
      String name = StreamNames.orDefault(t.getStream());
      if (!exists(batch, name)) {
        continue; // a retention truncation of a stream deleted since the leader decided it
      }
      long next = batch.nextOffset(name);
      long before =
          Long.compareUnsigned(t.getBeforeOffset(), next) > 0 ? next : t.getBeforeOffset();
      // `default` before its first write has no records to drop, and needs no meta for it.
      if (batch.stream(name).isPresent()) {
        batch.truncate(name, before);
      }
      if (first == null) {
        StreamMeta meta = batch.existing(name).orElseThrow();
        first = new AppendOutcome.Truncated(meta.firstOffset(), meta.nextOffset());
      }
    }
    return first != null ? first : new AppendOutcome.Truncated(0, 0);
  }

  private static AppendOutcome update(StoreBatch batch, UpdateStream entry) {
    String name = StreamNames.orDefault(entry.getStream());
    if (!exists(batch, name)) {
      return notFound(name);
    }
    if (batch.stream(name).isEmpty()) {
      batch.create(name, 0); // `default` before its first write: it needs a meta to hold it
    }
    StreamMeta meta = batch.stream(name).orElseThrow();
    batch.setRetention(name, meta.retention().with(entry.getRetention()));
    return new AppendOutcome.Updated(batch.stream(name).orElseThrow());
  }

  private static AppendOutcome commit(StoreBatch batch, CommitOffset entry) {
    String name = StreamNames.orDefault(entry.getStream());
    if (!exists(batch, name)) {
      return notFound(name);
    }
    String problem = StreamNames.problem(entry.getConsumer());
    if (problem != null) {
      return new Rejected(Kind.INVALID, "consumer: " + problem);
    }
    StreamMeta meta = batch.existing(name).orElseThrow();
    long offset = entry.getOffset();
    if (Long.compareUnsigned(offset, meta.nextOffset()) > 0) {
      return new Rejected(
          Kind.OUT_OF_RANGE,
          "offset "
              + Long.toUnsignedString(offset)
              + " is past the next offset of stream '"
              + name
              + "' ("
              + range(meta)
              + ")");
    }
    ConsumerPosition stored = batch.consumer(name, entry.getConsumer()).orElse(null);
    if (stored != null && Long.compareUnsigned(offset, stored.offset()) < 0 && !entry.getForce()) {
      return new Rejected(
          Kind.PRECONDITION,
          "consumer '"
              + entry.getConsumer()
              + "' of stream '"
              + name
              + "' committed offset "
              + Long.toUnsignedString(stored.offset())
              + "; a commit below it must be forced (a rewind)");
    }
    ConsumerPosition position =
        new ConsumerPosition(entry.getConsumer(), offset, entry.getCommitTimeMs());
    batch.putConsumer(name, position);
    return new AppendOutcome.Committed(position, meta);
  }

  private static AppendOutcome deleteConsumer(StoreBatch batch, DeleteConsumer entry) {
    String name = StreamNames.orDefault(entry.getStream());
    ConsumerPosition stored =
        exists(batch, name) && StreamNames.problem(entry.getConsumer()) == null
            ? batch.consumer(name, entry.getConsumer()).orElse(null)
            : null;
    if (stored == null) {
      return new Rejected(
          Kind.NOT_FOUND, "stream '" + name + "' has no consumer '" + entry.getConsumer() + "'");
    }
    batch.deleteConsumer(name, entry.getConsumer());
    return new AppendOutcome.ConsumerDeleted(stored.offset());
  }

  private static boolean exists(StoreBatch batch, String name) {
    return StreamNames.problem(name) == null && batch.exists(name);
  }

  private static Rejected notFound(String name) {
    return new Rejected(Kind.NOT_FOUND, "stream '" + name + "' does not exist");
  }

  /** A stream's offsets as a message names them: first and next. */
  private static String range(StreamMeta meta) {
    return "first offset "
        + Long.toUnsignedString(meta.firstOffset())
        + ", next offset "
        + Long.toUnsignedString(meta.nextOffset());
  }
}
