package io.raftlog.collector;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.ProduceRequestOrBuilder;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamRecords;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The producer id of an OTLP shard batch: the first 8 bytes of the SHA-256 of what the export gave
 * (each part's stream name, then each record's value and timestamp, in order), never 0.
 *
 * <p>Why: an OTLP export carries no producer id, and exporters retry the very same payload on a
 * retryable answer. Taking the id from the content gives a retried export the same (producer id,
 * sequence 0) for each shard's batch, so the shard's idempotence table answers a batch it appended
 * before as a duplicate with its original offsets, and appends only what had not been appended.
 * Only what the export gave goes in: a leader's timestamp, a node id or anything else that differs
 * from one try to the next would make the retry look new.
 */
final class ContentHash {
  private ContentHash() {}

  /** The batch's producer id: 64 bits of SHA-256 of its parts, 1 in place of 0. */
  static long of(ProduceRequestOrBuilder batch) {
    MessageDigest sha = sha256();
    ByteBuffer number = ByteBuffer.allocate(Long.BYTES);
    for (StreamRecords part : batch.getPartsList()) {
      byte[] stream = part.getStream().getBytes(StandardCharsets.UTF_8);
      update(sha, number, stream.length);
      sha.update(stream);
      update(sha, number, part.getRecordsCount());
      for (Record r : part.getRecordsList()) {
        ByteString value = r.getValue();
        update(sha, number, value.size());
        for (ByteBuffer chunk : value.asReadOnlyByteBufferList()) {
          sha.update(chunk);
        }
        update(sha, number, r.getTimestampMs());
      }
    }
    long id = ByteBuffer.wrap(sha.digest()).getLong();
    return id == 0 ? 1 : id; // 0 would mean "not idempotent"
  }

  /** Each length and number as 8 fixed bytes, so no two different batches feed the same bytes. */
  private static void update(MessageDigest sha, ByteBuffer number, long n) {
    number.clear();
    number.putLong(n).flip();
    sha.update(number);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
