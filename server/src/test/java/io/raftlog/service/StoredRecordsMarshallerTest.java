package io.raftlog.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.Record;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StoreBatch;
import io.raftlog.storage.StoredRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stored bytes sent as they are must be the bytes the old path sent: the stored records decoded
 * into a ConsumeResponse ({@link StoredRecords#toResponse}) and serialized, for reads within one
 * chunk, across chunks, empty, and at offset zero; whether gRPC drains the answer or reads it.
 */
class StoredRecordsMarshallerTest {
  @TempDir Path dir;
  private final StoredRecordsMarshaller marshaller = new StoredRecordsMarshaller();

  @Test
  void drainedAnswerIsTheBytesOfTheDecodedResponse() throws IOException {
    try (RocksLogStore store = filled()) {
      for (long from : new long[] {0, 1, 777, 1999, 2000}) {
        for (int max : new int[] {1, 3, 1000, 10_000}) {
          StoredRecords read = store.read("s", from, max, 1 << 20).orElseThrow();
          byte[] old = read.toResponse().toByteArray();
          InputStream answer = marshaller.stream(read);
          assertEquals(old.length, ((KnownLength) answer).available(), "from " + from);
          ByteArrayOutputStream wire = new ByteArrayOutputStream();
          assertEquals(old.length, ((Drainable) answer).drainTo(wire));
          assertArrayEquals(old, wire.toByteArray(), "from " + from + ", max " + max);
          assertEquals(0, answer.available());
        }
      }
    }
  }

  @Test
  void readAnswerIsTheSameBytesAndParsesBack() throws IOException {
    try (RocksLogStore store = filled()) {
      StoredRecords read = store.read("s", 5, 1500, 1 << 20).orElseThrow();
      assertTrue(read.parts().size() > 1, "the read spans chunks");
      byte[] old = read.toResponse().toByteArray();
      InputStream answer = marshaller.stream(read);
      int first = answer.read();
      assertEquals(old.length - 1, answer.available());
      byte[] rest = answer.readAllBytes();
      assertEquals(old[0] & 0xff, first);
      assertArrayEquals(Arrays.copyOfRange(old, 1, old.length), rest);

      StoredRecords back = marshaller.parse(marshaller.stream(read));
      assertEquals(read.count(), back.count());
      assertEquals(read.nextOffset(), back.nextOffset());
      assertEquals(read.records(), back.records());
    }
  }

  @Test
  void emptyStreamAnswersNothingButItsNextOffset() throws IOException {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      try (StoreBatch b = store.newBatch()) {
        b.create("empty", 1);
        b.commit(1);
      }
      StoredRecords none = store.read("empty", 0, 10, 1 << 20).orElseThrow();
      assertArrayEquals(
          none.toResponse().toByteArray(), marshaller.stream(none).readAllBytes(), "zero left out");
    }
  }

  /** 2,000 records of ~300 bytes with keys, headers and timestamps: several chunks. */
  private RocksLogStore filled() {
    RocksLogStore store = RocksLogStore.open(dir);
    try (StoreBatch b = store.newBatch()) {
      b.create("s", 1);
      for (int i = 0; i < 2000; i++) {
        Record.Builder r =
            Record.newBuilder()
                .setOffset(b.nextOffset("s"))
                .setTimestampMs(1_700_000_000_000L + i)
                .setValue(ByteString.copyFromUtf8(String.format("%05d", i) + "v".repeat(295)));
        if (i % 3 == 0) {
          r.setKey(ByteString.copyFromUtf8("key-" + i));
        }
        if (i % 5 == 0) {
          r.addHeaders(
              Header.newBuilder().setKey("h").setValue(ByteString.copyFromUtf8("x" + i)).build());
        }
        b.append("s", r.build());
      }
      b.commit(1);
    }
    return store;
  }
}
