package io.raftlog.client;

import static io.raftlog.client.StreamNameCheck.checkStream;

import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.ConsumerInfo;
import io.raftlog.api.v1.DeleteConsumerResponse;
import io.raftlog.api.v1.DeleteStreamResponse;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.ListStreamsResponse;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.Retention;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.api.v1.TopStreamsOrder;
import io.raftlog.api.v1.TopStreamsResponse;
import io.raftlog.api.v1.TruncateResponse;
import io.raftlog.wire.StreamNames;
import java.util.List;
import java.util.Map;

/**
 * A client of one raftlog cluster: many named streams, each an ordered log with its own offsets,
 * spread over the cluster's shards (Raft groups). It learns the slot map (which shard holds which
 * stream) and each shard's leader by itself, sends each stream's calls to its shard's leader,
 * retries through failover with backoff under a deadline, and appends each batch exactly once (its
 * {@link #producer()} is idempotent). Methods without a stream name use the stream {@code default}.
 * Thread-safe; build one per application and {@link #close()} it at the end.
 *
 * <p>This class is the public API and owns every part behind it: the unary calls run on the
 * caller's thread, through {@code StreamAdmin}, {@code ConsumerOffsets}, {@code Reads} and {@link
 * ClusterAdmin}, which share one {@code UnaryCalls} (node choice and retries); {@link Producer} and
 * {@link Subscription} run as they document.
 *
 * <pre>{@code
 * try (RaftlogClient client = RaftlogClient.builder().servers("127.0.0.1:9001").build()) {
 *   long offset = client.producer().send("orders", "hello".getBytes(UTF_8)).join();
 *   List<Record> records = client.consume("orders", offset, 10).getRecordsList();
 * }
 * }</pre>
 */
public final class RaftlogClient implements AutoCloseable {
  private final ClientOptions options;
  private final NodeChannels channels;
  private final ClusterView cluster;
  private final Backoff backoff;
  private final Producer producer;
  // The unary calls, by concern; each is owned by this client and runs on the calling thread.
  private final UnaryCalls calls;
  private final StreamAdmin streams;
  private final ConsumerOffsets consumers;
  private final Reads reads;
  private final ClusterAdmin admin;

  RaftlogClient(ClientOptions options) {
    this.options = options;
    this.channels = new NodeChannels(options);
    this.cluster = channels.view();
    this.backoff =
        new Backoff(
            options.get(ClientSettings.INITIAL_BACKOFF), options.get(ClientSettings.MAX_BACKOFF));
    this.producer = new Producer(options, channels, backoff);
    this.calls = new UnaryCalls(options, channels, backoff);
    this.streams = new StreamAdmin(calls);
    this.consumers = new ConsumerOffsets(calls);
    this.reads = new Reads(calls, streams);
    this.admin = new ClusterAdmin(calls);
    cluster.refresh();
  }

  public static RaftlogClientBuilder builder() {
    return new RaftlogClientBuilder();
  }

  /**
   * This client's idempotent, batching producer: one per client, with its own producer id. Use
   * {@link Producer#send} from any number of threads.
   */
  public Producer producer() {
    return producer;
  }

  /**
   * A producer whose caller picks the id and numbers the batches, for writers that keep their
   * producer state across restarts: see {@link SequencedProducer} for its rules.
   */
  public SequencedProducer sequencedProducer(long producerId) {
    return new SequencedProducer(calls, producerId);
  }

  /** {@link #produce(String, List)} to the stream {@code default}. */
  public List<Long> produce(List<Record> records) {
    return produce(StreamNames.DEFAULT, records);
  }

  /**
   * Appends {@code records} to {@code stream} in this order and waits until a majority of its shard
   * has them; returns each record's offset in the stream. Goes through {@link #producer()}, so it
   * is idempotent and retried the same way.
   *
   * @throws IllegalArgumentException if {@code stream} is not a valid stream name
   * @throws RaftlogException if the cluster rejects the records or the deadline passes
   */
  public List<Long> produce(String stream, List<Record> records) {
    return producer.sendAndWait(stream, records, null);
  }

  /**
   * Appends {@code records} to {@code stream} only if the stream's next offset is {@code
   * expectedOffset} (optimistic concurrency: a writer that read up to there appends only if no one
   * else appended meanwhile). The records go as a batch of their own, all or nothing. Idempotent
   * like {@link #produce(String, List)}: a retry of a batch that was appended answers with its
   * offsets.
   *
   * @throws RaftlogException {@code FAILED_PRECONDITION} if the stream's next offset is another
   *     (the message names it), or as {@link #produce(String, List)}
   */
  public List<Long> produce(String stream, List<Record> records, long expectedOffset) {
    if (expectedOffset < 0) {
      throw new IllegalArgumentException("expected offset must be >= 0");
    }
    return producer.sendAndWait(stream, records, expectedOffset);
  }

  /** {@link #consume(String, long, int)} from the stream {@code default}. */
  public ConsumeResponse consume(long offset, int max) {
    return consume(StreamNames.DEFAULT, offset, max);
  }

  /** {@link #consume(String, long, int, Consistency)} from the stream {@code default}. */
  public ConsumeResponse consume(long offset, int max, Consistency consistency) {
    return consume(StreamNames.DEFAULT, offset, max, consistency);
  }

  /** Reads up to {@code max} records of {@code stream} from {@code offset}, linearizably. */
  public ConsumeResponse consume(String stream, long offset, int max) {
    return consume(stream, offset, max, Consistency.LINEARIZABLE);
  }

  /**
   * Reads up to {@code max} records of {@code stream} from {@code offset}: the records and the
   * offset to read from next. {@code LINEARIZABLE} sees every record acknowledged before the call,
   * and goes to the stream's shard leader when the client knows it (any node can answer); {@code
   * LOCAL} reads the answering node's state with no round trip, and is spread over the healthy
   * nodes.
   *
   * @throws IllegalArgumentException if {@code stream} is not a valid stream name
   * @throws RaftlogException {@code OUT_OF_RANGE} when {@code offset} is past the stream's end;
   *     {@code NOT_FOUND} when the stream does not exist
   */
  public ConsumeResponse consume(String stream, long offset, int max, Consistency consistency) {
    return consume(stream, offset, max, consistency, OffsetReset.OFFSET_RESET_FAIL);
  }

  /**
   * As {@link #consume(String, long, int, Consistency)}; below the stream's first offset (records
   * removed by retention or a truncation) it follows {@code reset}: {@code OFFSET_RESET_FAIL}
   * throws {@code OUT_OF_RANGE} naming the first and next offsets, {@code OFFSET_RESET_EARLIEST}
   * answers from the first offset, {@code OFFSET_RESET_LATEST} answers no records and the next
   * offset.
   */
  public ConsumeResponse consume(
      String stream, long offset, int max, Consistency consistency, OffsetReset reset) {
    return reads.consume(stream, offset, max, consistency, reset);
  }

  /** {@link #subscribe(String, long)} to the stream {@code default}. */
  public Subscription subscribe(long offset) {
    return subscribe(StreamNames.DEFAULT, offset);
  }

  /** {@link #subscribe(String, long, Consistency)} to the stream {@code default}. */
  public Subscription subscribe(long offset, Consistency consistency) {
    return subscribe(StreamNames.DEFAULT, offset, consistency);
  }

  /**
   * Follows {@code stream} from {@code offset}: records arrive as they commit, through leader
   * changes and node failures (the subscription resumes on another node, preferably the shard's
   * leader, from the next offset, with no gap and no duplicate). Poll it from one thread; close it
   * when done.
   *
   * @throws IllegalArgumentException if {@code stream} is not a valid stream name
   */
  public Subscription subscribe(String stream, long offset) {
    return subscribe(stream, offset, Consistency.LINEARIZABLE);
  }

  /**
   * As {@link #subscribe(String, long)}; with {@code LOCAL} a resumed stream starts from what its
   * new node has applied rather than waiting for a read barrier.
   */
  public Subscription subscribe(String stream, long offset, Consistency consistency) {
    checkStream(stream);
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0");
    }
    return subscribe(stream, SubscribeOptions.fromOffset(offset).withConsistency(consistency));
  }

  /**
   * Follows {@code stream} as {@code how} says: where it starts (an offset, the earliest or latest
   * record, a time, or a named consumer's committed offset), what it does below the stream's first
   * offset, and, for a named consumer, how often it commits. A start other than an offset is looked
   * up now, by this call; the subscription then goes on by offset, through reconnects too.
   *
   * @throws IllegalArgumentException if {@code stream} is not a valid stream name
   * @throws RaftlogException if the start cannot be looked up ({@code NOT_FOUND}: no such stream)
   */
  public Subscription subscribe(String stream, SubscribeOptions how) {
    checkStream(stream);
    long committed =
        how.consumer() == null ? -1 : consumers.committedOffset(stream, how.consumer());
    long start = committed >= 0 ? committed : startOffset(stream, how);
    ConsumerCommits commits =
        how.consumer() == null ? null : new ConsumerCommits(consumers, stream, how, committed);
    // Until a record came, a start by the earliest record or by time still means the first record
    // held, whatever retention removed since the start was looked up.
    boolean firstHeld =
        committed < 0
            && (how.start() == SubscribeOptions.Start.EARLIEST
                || how.start() == SubscribeOptions.Start.TIME);
    OffsetReset firstReset = firstHeld ? OffsetReset.OFFSET_RESET_EARLIEST : how.reset();
    return new Subscription(
        stream, start, firstReset, how, streams, commits, options, channels, backoff);
  }

  /**
   * The offset {@code how}'s start names in {@code stream} now, ignoring its consumer: the offset
   * itself, the stream's first or next offset, or the first record at or after the time (the next
   * offset if there is none; one record read through the stream's time index).
   *
   * @throws RaftlogException {@code NOT_FOUND} if the stream does not exist
   */
  public long startOffset(String stream, SubscribeOptions how) {
    return reads.startOffset(stream, how);
  }

  /**
   * Creates the empty stream {@code name} with {@code settings} (may be empty). Streams are also
   * created by their first write unless the nodes run with {@code streams.auto-create=false}.
   *
   * @throws RaftlogException {@code ALREADY_EXISTS} if it exists (also when an attempt that timed
   *     out had created it and a retry found it), {@code INVALID_ARGUMENT} for refused settings
   */
  public StreamInfo createStream(String name, Map<String, String> settings) {
    return streams.create(name, settings);
  }

  /**
   * The stream {@code name}: its shard, leader and replicas, offsets, settings and creation time,
   * linearizably.
   *
   * @throws RaftlogException {@code NOT_FOUND} if it does not exist
   */
  public StreamInfo describeStream(String name) {
    return streams.describe(name);
  }

  /**
   * One page of streams in name order: those whose name starts with {@code prefix} (empty: all), at
   * most {@code pageSize} (0: the nodes' default of 100), after {@code pageToken} (empty: from the
   * first; else a previous page's {@code next_page_token}).
   */
  public ListStreamsResponse listStreams(String prefix, int pageSize, String pageToken) {
    return streams.list(prefix, pageSize, pageToken);
  }

  /** Every stream whose name starts with {@code prefix} (empty: all), in name order. */
  public List<StreamInfo> listStreams(String prefix) {
    return streams.listAll(prefix);
  }

  /**
   * Deletes the stream {@code name} with its records and settings; a later write to the name starts
   * a new stream at offset 0.
   *
   * @throws RaftlogException {@code NOT_FOUND} if it does not exist (also when an attempt that
   *     timed out had deleted it and a retry found it gone)
   */
  public DeleteStreamResponse deleteStream(String name) {
    return streams.delete(name);
  }

  /**
   * Creates the empty stream {@code name} with {@code settings} (may be empty) and {@code
   * retention}: fields it leaves out take the cluster's {@code retention.*} defaults.
   *
   * @throws RaftlogException {@code ALREADY_EXISTS} if it exists, {@code INVALID_ARGUMENT} for
   *     refused settings or retention values
   */
  public StreamInfo createStream(String name, Map<String, String> settings, Retention retention) {
    return streams.create(name, settings, retention);
  }

  /**
   * Changes the fields {@code changes} holds of the stream's retention; the others keep their
   * value. Answers the stream after the change.
   *
   * @throws RaftlogException {@code NOT_FOUND}, or {@code INVALID_ARGUMENT} naming a bad field
   */
  public StreamInfo updateStream(String name, Retention changes) {
    return streams.update(name, changes);
  }

  /**
   * Removes the stream's records below {@code beforeOffset}. A retry is harmless: truncating at or
   * below the first offset changes nothing.
   *
   * @throws RaftlogException {@code OUT_OF_RANGE} past the stream's next offset, {@code NOT_FOUND}
   */
  public TruncateResponse truncate(String name, long beforeOffset) {
    return streams.truncate(name, beforeOffset);
  }

  /**
   * Stores the named consumer's position in {@code stream}: {@code offset} is the next record it
   * will read. {@code force} allows a rewind below the stored offset.
   *
   * @throws RaftlogException {@code OUT_OF_RANGE} past the stream's next offset, {@code
   *     FAILED_PRECONDITION} below the stored one without {@code force}, {@code NOT_FOUND}
   */
  public ConsumerInfo commitOffset(String stream, String consumer, long offset, boolean force) {
    return consumers.commit(stream, consumer, offset, force);
  }

  /**
   * The named consumer's committed offset and lag, linearizably.
   *
   * @throws RaftlogException {@code NOT_FOUND} if it never committed (or the stream does not exist)
   */
  public ConsumerInfo getConsumer(String stream, String consumer) {
    return consumers.get(stream, consumer);
  }

  /** Every named consumer of {@code stream}, in name order. */
  public List<ConsumerInfo> listConsumers(String stream) {
    return consumers.listAll(stream);
  }

  /**
   * Forgets the named consumer.
   *
   * @throws RaftlogException {@code NOT_FOUND} if the stream has no consumer of that name
   */
  public DeleteConsumerResponse deleteConsumer(String stream, String consumer) {
    return consumers.delete(stream, consumer);
  }

  /**
   * The busiest streams of the cluster right now: records and bytes appended and read per second
   * over the nodes' last 10 s window, summed over the nodes, busiest first by {@code order}; nodes
   * that did not answer are named in {@code unreachable_nodes}. Any healthy node answers.
   *
   * @param limit how many streams, 1 to 1000 (0: 10)
   * @throws RaftlogException {@code INVALID_ARGUMENT} for a limit above 1000
   */
  public TopStreamsResponse topStreams(int limit, TopStreamsOrder order) {
    return streams.top(limit, order);
  }

  /** Every node, shard and the slot map, as a reachable node sees them. */
  public GetClusterResponse cluster() {
    GetClusterResponse answer =
        calls.call(
            "cluster", null, true, stub -> stub.getCluster(GetClusterRequest.getDefaultInstance()));
    cluster.learn(answer);
    return answer;
  }

  /** The membership calls (drain, remove, move a replica, transfer a leadership), for operators. */
  public ClusterAdmin admin() {
    return admin;
  }

  /**
   * The node this client would send a write to the stream {@code default} to now: its shard's
   * leader, as far as the client knows (null if it does not).
   */
  public String leaderAddress() {
    return leaderAddress(StreamNames.DEFAULT);
  }

  /** The client address of {@code stream}'s shard leader as far as the client knows, or null. */
  public String leaderAddress(String stream) {
    return cluster.leaderOf(cluster.shardOf(checkStream(stream)));
  }

  /** Flushes the producer (waiting up to the deadline), then closes every channel. */
  @Override
  public void close() {
    try {
      producer.close();
    } finally {
      channels.close();
    }
  }
}
