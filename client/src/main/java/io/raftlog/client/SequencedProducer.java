package io.raftlog.client;

import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamRecords;
import java.util.List;

/**
 * An idempotent producer whose caller chooses the producer id and numbers the batches: for a writer
 * that must outlive its process without duplicating, such as {@code raftlog tail}, which keeps the
 * id and the next sequence with its file position and, after a crash, sends the batch that was in
 * flight again with its original sequence so the log answers {@code duplicate} instead of appending
 * it twice. Everyone else wants {@link Producer}, which numbers, batches and pipelines by itself.
 *
 * <p>The caller's rules, which the log enforces per (producer id, shard): the first batch a shard
 * sees of a producer id may have any sequence; each next one must be the previous plus one; a batch
 * sent again must keep its sequence and hold the same records; the log remembers a producer's last
 * 5 batches (older sequences are refused with {@code FAILED_PRECONDITION}, as is a gap). Keep one
 * producer id per writer and one stream (or streams of one shard) per id; pick a new random id when
 * the numbering is lost.
 *
 * <p>Thread-safe and stateless: {@link #send} blocks the calling thread, one batch at a time. Made
 * by {@link RaftlogClient#sequencedProducer(long)}; owned by that client.
 */
public final class SequencedProducer {
  private final UnaryCalls calls;
  private final long producerId;

  SequencedProducer(UnaryCalls calls, long producerId) {
    if (producerId == 0) {
      throw new IllegalArgumentException("producer id 0 means 'not idempotent': pick another");
    }
    this.calls = calls;
    this.producerId = producerId;
  }

  public long producerId() {
    return producerId;
  }

  /**
   * Appends {@code records} to {@code stream} as one batch numbered {@code sequence}, all or
   * nothing, and waits until a majority of the shard has it. Retried on the shard's leader through
   * failover until the client's deadline, with the same sequence, so a retry never appends twice.
   *
   * @return the log's answer: the offsets, and {@code duplicate} when the batch had been appended
   *     before (then nothing was appended now)
   * @throws RaftlogException {@code FAILED_PRECONDITION} for a sequence out of order or older than
   *     the log remembers; {@code INVALID_ARGUMENT} for records over the limits; {@code
   *     DEADLINE_EXCEEDED} (or the last error) when the deadline passed
   */
  public ProduceResponse send(String stream, long sequence, List<Record> records) {
    StreamNameCheck.checkStream(stream);
    if (records.isEmpty()) {
      throw new IllegalArgumentException("no records to produce");
    }
    ProduceRequest request =
        ProduceRequest.newBuilder()
            .setProducerId(producerId)
            .setSequence(sequence)
            .addParts(StreamRecords.newBuilder().setStream(stream).addAllRecords(records))
            .build();
    return calls.call("produce to " + stream, stream, false, stub -> stub.produce(request));
  }
}
