package io.raftlog.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.raftlog.api.v1.Record;
import java.nio.file.Path;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/** What the storage tests share: appending records with timestamps, counting stored keys. */
final class StoreKeys {
  private StoreKeys() {}

  /** Appends one record per timestamp to {@code stream} (created if needed) of {@code bytes}. */
  static void append(StoreBatch b, String stream, int bytes, long... timestamps) {
    if (b.stream(stream).isEmpty()) {
      b.create(stream, 1000);
    }
    for (long ts : timestamps) {
      b.append(stream, record(b.nextOffset(stream), ts, bytes));
    }
  }

  /** Appends in a batch of its own at {@code raftIndex}. */
  static void appendBatch(
      RocksLogStore store, long raftIndex, String stream, int bytes, long... timestamps) {
    try (StoreBatch b = store.newBatch()) {
      append(b, stream, bytes, timestamps);
      b.commit(raftIndex);
    }
  }

  static Record record(long offset, long ts, int bytes) {
    return Record.newBuilder()
        .setOffset(offset)
        .setTimestampMs(ts)
        .setValue(ByteString.copyFromUtf8(Long.toString(offset) + "v".repeat(bytes)))
        .build();
  }

  /** The bytes a chunk of these records takes. */
  static long chunkBytes(Record... records) {
    long n = 0;
    for (Record r : records) {
      n += CodedOutputStream.computeMessageSize(1, r);
    }
    return n;
  }

  /** How many live keys of {@code store} start with {@code prefix}, read from a checkpoint. */
  static int count(RocksLogStore store, Path scratch, byte[] prefix) {
    Path cp = scratch.resolve("cp-" + System.nanoTime());
    store.checkpoint(cp);
    int n = 0;
    try (Options o = new Options();
        RocksDB db = RocksDB.openReadOnly(o, cp.toString());
        Slice upper = new Slice(KeyLayout.successor(prefix));
        ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(ro)) {
      for (it.seek(prefix); it.isValid(); it.next()) {
        n++;
      }
      it.status();
    } catch (RocksDBException e) {
      throw new AssertionError(e);
    }
    return n;
  }
}
