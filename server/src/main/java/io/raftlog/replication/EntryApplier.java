package io.raftlog.replication;

import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.internal.v1.AppendBatch;
import io.raftlog.internal.v1.CreateStream;
import io.raftlog.internal.v1.DeleteStream;
import io.raftlog.internal.v1.ShardEntry;
import io.raftlog.replication.AppendOutcome.Kind;
import io.raftlog.replication.AppendOutcome.PartOffsets;
import io.raftlog.replication.AppendOutcome.Rejected;
import io.raftlog.replication.ProducerTable.PartRef;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StoreBatch;
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
      case TRUNCATE, UPDATE, COMMIT, DELETE_CONSUMER ->
          throw new UnsupportedOperationException("issue 20: not applied yet");
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
    for (int i = 0; i < names.size(); i++) {
      refs.add(appendPart(batch, names.get(i), entry.getParts(i), entry.getAppendTimeMs()));
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
    // Also `default`, which exists without a meta key until its first write.
    if (batch.stream(name).isEmpty()) {
      batch.create(name, appendTimeMs);
    }
    long base = batch.nextOffset(name);
    for (Record r : part.getRecordsList()) {
      Record.Builder stored = r.toBuilder().setOffset(batch.nextOffset(name));
      if (r.getTimestampMs() <= 0) {
        stored.setTimestampMs(appendTimeMs);
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
    batch.create(name, entry.getCreatedMs());
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
}
