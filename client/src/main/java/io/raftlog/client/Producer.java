package io.raftlog.client;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import io.raftlog.wire.StreamNames;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The idempotent, batching producer of a {@link RaftlogClient}: it writes to any number of streams.
 *
 * <p>{@link #send(String, Record)} adds a record to the open batch of its stream's shard (the
 * client finds the shard from the stream's name and the cluster's slot map); a batch holds the
 * records of every stream of that shard sent while it was open, each stream's in send order. A
 * batch closes when it reaches the batch size, or when its linger time has passed and the producer
 * could send it now. Each shard's closed batches get consecutive sequence numbers (the log counts
 * them per producer and shard) and go to that shard's leader on one {@code ProduceStream}, up to
 * the in-flight limit per shard, so every stream's records are appended in send order. Bytes not
 * yet acknowledged, over all shards, are bounded by the buffer size: a send beyond it blocks, then
 * fails.
 *
 * <p>When a shard's stream fails (a leader change, a dead node, overload), the producer resends
 * that shard's unacknowledged batches one at a time with their own sequences, with backoff, until
 * each is answered or its deadline passes; the log appends a resent batch only if the first attempt
 * did not, so every record is appended once and in order. Then it streams again. Other shards'
 * batches are not held up.
 *
 * <p>Callers' threads only fill batches in the {@link RecordAccumulator}, under its lock. One
 * thread, the {@link Sender}, owns everything after that (the stream, the batches in flight, the
 * resends and sequences), and futures complete on a separate thread in send order, so a callback
 * that blocks or sends again cannot stall the producer.
 */
public final class Producer implements AutoCloseable {
  private final ClientOptions options;
  private final long producerId = randomProducerId();
  private final RecordAccumulator accumulator;
  private final Sender sender;

  Producer(ClientOptions options, NodeChannels channels, Backoff backoff) {
    this.options = options;
    this.accumulator =
        new RecordAccumulator(options, channels.view()::awaitShardOf, this::wakeSender);
    this.sender = new Sender(options, channels.view(), channels, backoff, accumulator, producerId);
    sender.start();
  }

  /** This producer's id: random, fixed for the life of the client. */
  public long producerId() {
    return producerId;
  }

  /** Sends a record holding only {@code value} to the stream {@code default}. */
  public CompletableFuture<Long> send(byte[] value) {
    return send(StreamNames.DEFAULT, value);
  }

  /** Sends {@code record} to the stream {@code default}: see {@link #send(String, Record)}. */
  public CompletableFuture<Long> send(Record record) {
    return send(StreamNames.DEFAULT, record);
  }

  /** Sends a record holding only {@code value} to {@code stream}. */
  public CompletableFuture<Long> send(String stream, byte[] value) {
    return send(stream, Record.newBuilder().setValue(ByteString.copyFrom(value)).build());
  }

  /**
   * Queues {@code record} for appending to {@code stream} and returns a future of its offset in
   * that stream, completed once a majority of the stream's shard has it. A stream's records are
   * appended in the order of their {@code send} calls. Blocks while the buffer is full, and while
   * the client does not know the cluster's slot map yet (right after it is built), up to the
   * client's max block time in all.
   *
   * @throws IllegalArgumentException if {@code stream} is not a valid stream name
   * @throws RaftlogException {@code RESOURCE_EXHAUSTED} if the buffer stays full; {@code
   *     UNAVAILABLE} if no node told the slot map in time
   * @throws IllegalStateException if the producer is closed
   */
  public CompletableFuture<Long> send(String stream, Record record) {
    return accumulator.append(StreamNameCheck.checkStream(stream), record);
  }

  /**
   * Sends every record of {@code records} to {@code stream}, back to back, closes the batch at once
   * and waits; the offsets in order. With an {@code expectedOffset} (else null) the records go in a
   * batch of their own, appended only if the stream's next offset is that.
   */
  List<Long> sendAndWait(String stream, List<Record> records, Long expectedOffset) {
    if (records.isEmpty()) {
      throw new IllegalArgumentException("no records to produce");
    }
    List<CompletableFuture<Long>> offsets =
        accumulator.appendAllAndSeal(StreamNameCheck.checkStream(stream), records, expectedOffset);
    List<Long> out = new ArrayList<>(records.size());
    for (CompletableFuture<Long> f : offsets) {
      out.add(join(f));
    }
    return out;
  }

  /**
   * Sends whatever is waiting without lingering and returns once every record sent before this call
   * is acknowledged or has failed (each within its deadline).
   */
  public void flush() {
    CompletableFuture<Void> last = accumulator.sealOpen();
    if (last != null) {
      last.join(); // batches finish in order, and never later than their deadline
    }
  }

  /** Flushes, then stops the sender. Sends after this fail. */
  @Override
  public void close() {
    if (accumulator.isClosing()) {
      return;
    }
    flush();
    accumulator.close();
    sender.awaitStop(options.get(ClientSettings.DEADLINE).toMillis() + 5_000);
  }

  int streamsOpened() {
    return sender.streamsOpened();
  }

  // Called by the accumulator, which exists before the sender: never before this constructor ends,
  // since only sends open or seal a batch.
  private void wakeSender() {
    sender.wake();
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RaftlogException r) {
        throw r;
      }
      throw e;
    }
  }

  private static long randomProducerId() {
    SecureRandom random = new SecureRandom();
    long id;
    do {
      id = random.nextLong();
    } while (id == 0);
    return id;
  }
}
