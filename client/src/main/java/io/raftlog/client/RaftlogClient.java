package io.raftlog.client;

import io.grpc.ClientInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.Record;
import io.raftlog.wire.HostPort;
import io.raftlog.wire.WireLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A client of one raftlog cluster. It finds the leader by itself, retries through failover with
 * backoff under a deadline, and appends each batch exactly once (its {@link #producer()} is
 * idempotent). Thread-safe; build one per application and {@link #close()} it at the end.
 *
 * <pre>{@code
 * try (RaftlogClient client = RaftlogClient.builder().servers("127.0.0.1:9001").build()) {
 *   long offset = client.producer().send("hello".getBytes(UTF_8)).join();
 *   List<Record> records = client.consume(offset, 10);
 * }
 * }</pre>
 */
public final class RaftlogClient implements AutoCloseable {
  private final ClientOptions options;
  private final LeaderAwareChannel cluster;
  private final Backoff backoff;
  private final Producer producer;

  private RaftlogClient(ClientOptions options) {
    this.options = options;
    this.cluster = new LeaderAwareChannel(options);
    this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff());
    this.producer = new Producer(options, cluster, backoff);
    cluster.refresh();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * This client's idempotent, batching producer: one per client, with its own producer id. Use
   * {@link Producer#send} from any number of threads.
   */
  public Producer producer() {
    return producer;
  }

  /**
   * Appends {@code records} in this order and waits until a majority has them; returns each
   * record's offset. Goes through {@link #producer()}, so it is idempotent and retried the same
   * way.
   *
   * @throws RaftlogException if the cluster rejects the records or the deadline passes
   */
  public List<Long> produce(List<Record> records) {
    return producer.sendAndWait(records);
  }

  /** Reads up to {@code max} records from {@code offset}, linearizably. */
  public List<Record> consume(long offset, int max) {
    return consume(offset, max, Consistency.LINEARIZABLE).getRecordsList();
  }

  /**
   * Reads up to {@code max} records from {@code offset}. {@code LINEARIZABLE} sees every record
   * acknowledged before the call; {@code LOCAL} reads the answering node's state with no round
   * trip. Either way the reads are spread over the healthy nodes.
   *
   * @throws RaftlogException with {@code OUT_OF_RANGE} when {@code offset} is past the log's end
   */
  public ConsumeResponse consume(long offset, int max, Consistency consistency) {
    if (offset < 0 || max < 0) {
      throw new IllegalArgumentException("offset and max must be >= 0");
    }
    ConsumeRequest request =
        ConsumeRequest.newBuilder()
            .setOffset(offset)
            .setMaxRecords(max)
            .setConsistency(consistency)
            .build();
    // A LOCAL read may land on a node that lags behind the one that answered the last page: past
    // its end is then no answer yet, so ask the other nodes before saying OUT_OF_RANGE.
    int nodesToAsk = consistency == Consistency.LOCAL ? cluster.nodes().size() : 1;
    for (int asked = 1; ; asked++) {
      try {
        return call("consume from offset " + offset, false, stub -> stub.consume(request));
      } catch (RaftlogException e) {
        if (e.code() != Status.Code.OUT_OF_RANGE || asked >= nodesToAsk) {
          throw e;
        }
      }
    }
  }

  /**
   * Follows the log from {@code offset}: records arrive as they commit, through leader changes and
   * node failures (the subscription resumes on another node from the next offset, with no gap and
   * no duplicate). Poll it from one thread; close it when done.
   */
  public Subscription subscribe(long offset) {
    return subscribe(offset, Consistency.LINEARIZABLE);
  }

  /**
   * As {@link #subscribe(long)}; with {@code LOCAL} a resumed stream starts from what its new node
   * has applied rather than waiting for a read barrier.
   */
  public Subscription subscribe(long offset, Consistency consistency) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0");
    }
    return new Subscription(offset, consistency, options, cluster, backoff);
  }

  /** Every node as a reachable node sees it, with roles, terms and indexes. */
  public GetClusterResponse cluster() {
    GetClusterResponse answer =
        call("cluster", false, stub -> stub.getCluster(GetClusterRequest.getDefaultInstance()));
    cluster.learn(answer);
    return answer;
  }

  /** The node this client would send a write to now: the leader, as far as it knows. */
  public String leaderAddress() {
    return cluster.leader();
  }

  /** Flushes the producer (waiting up to the deadline), then closes every channel. */
  @Override
  public void close() {
    try {
      producer.close();
    } finally {
      cluster.close();
    }
  }

  /** One call with retries: on the leader for writes, round robin over healthy nodes for reads. */
  private <T> T call(String what, boolean write, Function<LogGrpc.LogBlockingStub, T> attempt) {
    Attempts attempts = new Attempts(what, options.deadline(), backoff);
    while (true) {
      String node = write ? cluster.forWrite() : cluster.forRead();
      attempts.started(node);
      long timeout = Math.min(options.attemptTimeout().toNanos(), attempts.remainingNanos());
      try {
        return attempt.apply(
            cluster.blocking(node).withDeadlineAfter(timeout, TimeUnit.NANOSECONDS));
      } catch (StatusRuntimeException e) {
        long wait = attempts.nanosBeforeRetry(e.getStatus());
        if (wait < 0) {
          throw attempts.giveUp();
        }
        sleep(wait);
      }
    }
  }

  static void sleep(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RaftlogException(Status.Code.CANCELLED, "interrupted while waiting to retry", e);
    }
  }

  /** Settings of a client. Every one has a default that suits a local three-node cluster. */
  public static final class Builder {
    private List<String> bootstrap = List.of("127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003");
    private Duration deadline = Duration.ofSeconds(30);
    private Duration attemptTimeout = Duration.ofSeconds(10);
    private Duration initialBackoff = Duration.ofMillis(50);
    // Short: during an election followers answer at once, and a new leader is found within one
    // wait.
    private Duration maxBackoff = Duration.ofMillis(250);
    private Duration failedNodeQuarantine = Duration.ofSeconds(2);
    private int batchBytes = 256 << 10;
    private Duration linger = Duration.ofMillis(5);
    private int maxInFlight = WireLimits.IDEMPOTENCE_WINDOW;
    private long bufferBytes = 32L << 20;
    private Duration maxBlock = Duration.ofSeconds(30);
    private int maxInboundBytes = 16 << 20;
    private final List<ClientInterceptor> interceptors = new ArrayList<>();

    private Builder() {}

    /**
     * Addresses ({@code host:port}) of some of the cluster's nodes; the client learns the others.
     * Default: the local cluster of {@code scripts/start-cluster.sh}.
     */
    public Builder servers(String... addresses) {
      return servers(Arrays.asList(addresses));
    }

    /** As {@link #servers(String...)}; also accepts comma-separated lists. */
    public Builder servers(List<String> addresses) {
      List<String> all = new ArrayList<>();
      for (String a : addresses) {
        for (String s : a.split(",")) {
          if (!s.isBlank()) {
            all.add(HostPort.check(s));
          }
        }
      }
      if (all.isEmpty()) {
        throw new IllegalArgumentException("no server address given");
      }
      this.bootstrap = List.copyOf(all);
      return this;
    }

    /**
     * How long one operation (a produce, a batch of {@link Producer#send}, a consume) may take,
     * retries included. Default 30 s.
     */
    public Builder deadline(Duration d) {
      this.deadline = positive(d, "deadline");
      return this;
    }

    /** How long one attempt on one node may take before it counts as failed. Default 10 s. */
    public Builder attemptTimeout(Duration d) {
      this.attemptTimeout = positive(d, "attempt timeout");
      return this;
    }

    /** The first wait between retries (then doubling, with jitter) and its cap. 50 and 250 ms. */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = positive(initial, "initial backoff");
      this.maxBackoff = positive(max, "max backoff");
      return this;
    }

    /** How long a node that could not be reached is skipped. Default 2 s. */
    public Builder failedNodeQuarantine(Duration d) {
      this.failedNodeQuarantine = positive(d, "quarantine");
      return this;
    }

    /**
     * The producer closes a batch at this many bytes (Kafka's {@code batch.size}). Default 256 KiB;
     * keep it under the nodes' {@code log.max-batch-bytes} (4 MiB by default).
     */
    public Builder batchBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("batch bytes must be positive");
      }
      this.batchBytes = bytes;
      return this;
    }

    /**
     * How long the producer waits for more records before sending a batch that is not full (Kafka's
     * {@code linger.ms}). Default 5 ms; zero sends at once.
     */
    public Builder linger(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("linger must be >= 0");
      }
      this.linger = d;
      return this;
    }

    /**
     * Batches the producer keeps in flight at once, 1 to 5 (the nodes remember the last {@link
     * WireLimits#IDEMPOTENCE_WINDOW} batches of each producer, which is what makes a retry safe).
     * Default 5.
     */
    public Builder maxInFlight(int n) {
      if (n < 1 || n > WireLimits.IDEMPOTENCE_WINDOW) {
        throw new IllegalArgumentException(
            "max in-flight batches must be 1 to " + WireLimits.IDEMPOTENCE_WINDOW + ", got " + n);
      }
      this.maxInFlight = n;
      return this;
    }

    /**
     * Bytes of records the producer holds before they are acknowledged (Kafka's {@code
     * buffer.memory}); a {@link Producer#send} beyond it blocks up to {@link #maxBlock}. Default 32
     * MiB.
     */
    public Builder bufferBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("buffer bytes must be positive");
      }
      this.bufferBytes = bytes;
      return this;
    }

    /**
     * How long {@link Producer#send} blocks when the buffer is full before it fails with {@code
     * RESOURCE_EXHAUSTED}. Default 30 s; zero fails at once.
     */
    public Builder maxBlock(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("max block must be >= 0");
      }
      this.maxBlock = d;
      return this;
    }

    /** The largest response accepted (a consume answers with up to about 4 MiB). Default 16 MiB. */
    public Builder maxInboundBytes(int bytes) {
      this.maxInboundBytes = bytes;
      return this;
    }

    /** Adds interceptors to every call (credentials, tracing, ...). */
    public Builder intercept(ClientInterceptor... more) {
      interceptors.addAll(Arrays.asList(more));
      return this;
    }

    public RaftlogClient build() {
      return new RaftlogClient(
          new ClientOptions(
              bootstrap,
              deadline,
              attemptTimeout,
              initialBackoff,
              maxBackoff,
              failedNodeQuarantine,
              batchBytes,
              linger,
              maxInFlight,
              bufferBytes,
              maxBlock,
              maxInboundBytes,
              List.copyOf(interceptors)));
    }

    private static Duration positive(Duration d, String what) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }
  }
}
