package io.raftlog.client;

import io.grpc.ClientInterceptor;
import io.raftlog.wire.WireLimits;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of a {@link RaftlogClient}, in the order README's client settings table lists them.
 * Add one here and a call to {@link RaftlogClientBuilder}; {@code ClientSettingsDocsTest} then asks
 * for its row in README.md.
 */
public final class ClientSettings {
  private ClientSettings() {}

  public static final ClientSetting<List<String>> SERVERS =
      new ClientSetting<>(
          "servers(...)",
          List.of("127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"),
          s -> "127.0.0.1:9001-9003",
          s -> s.isEmpty() ? "no server address given" : null,
          "bootstrap addresses (`host:port`, also comma-separated), any subset of the nodes; the"
              + " client learns the others");

  public static final ClientSetting<Duration> DEADLINE =
      ClientSetting.positiveDuration(
          "deadline",
          Duration.ofSeconds(30),
          "deadline",
          "time for one operation (a produce batch, a consume, an admin call) including retries");

  public static final ClientSetting<Duration> ATTEMPT_TIMEOUT =
      ClientSetting.positiveDuration(
          "attemptTimeout",
          Duration.ofSeconds(10),
          "attempt timeout",
          "time for one attempt on one node before it counts as failed");

  public static final ClientSetting<Duration> INITIAL_BACKOFF =
      ClientSetting.positiveDuration(
          "backoff(initial, …)",
          Duration.ofMillis(50),
          "initial backoff",
          "the first wait between retries, then doubling, with jitter");

  // Short: during an election followers answer at once, and a new leader is found within one wait.
  public static final ClientSetting<Duration> MAX_BACKOFF =
      ClientSetting.positiveDuration(
          "backoff(…, max)",
          Duration.ofMillis(250),
          "max backoff",
          "the longest wait between retries");

  public static final ClientSetting<Duration> FAILED_NODE_QUARANTINE =
      ClientSetting.positiveDuration(
          "failedNodeQuarantine",
          Duration.ofSeconds(2),
          "quarantine",
          "a node that could not be reached is skipped this long, even when a node names it leader");

  public static final ClientSetting<Integer> BATCH_BYTES =
      ClientSetting.bytes(
          "batchBytes",
          256 << 10,
          "batch bytes",
          "a shard's batch is sent when it reaches this size (Kafka's `batch.size`): records, and per"
              + " stream its name and framing; keep it under the nodes' `log.max-batch-bytes`");

  public static final ClientSetting<Duration> LINGER =
      ClientSetting.duration(
          "linger",
          Duration.ofMillis(5),
          "linger",
          "… or when its first record waited this long (`linger.ms`) and it could be sent; zero"
              + " sends at once");

  public static final ClientSetting<Integer> MAX_IN_FLIGHT =
      new ClientSetting<>(
          "maxInFlight",
          WireLimits.IDEMPOTENCE_WINDOW,
          String::valueOf,
          n ->
              n < 1 || n > WireLimits.IDEMPOTENCE_WINDOW
                  ? "max in-flight batches must be 1 to "
                      + WireLimits.IDEMPOTENCE_WINDOW
                      + ", got "
                      + n
                  : null,
          "batches per shard sent and not yet answered (1-5: nodes remember 5 per producer and"
              + " shard, which makes a retry safe)");

  public static final ClientSetting<Long> BUFFER_BYTES =
      ClientSetting.longBytes(
          "bufferBytes",
          32L << 20,
          "buffer bytes",
          "unacknowledged bytes held, all shards together; `send` blocks beyond it"
              + " (`buffer.memory`)");

  public static final ClientSetting<Duration> MAX_BLOCK =
      ClientSetting.duration(
          "maxBlock",
          Duration.ofSeconds(30),
          "max block",
          "how long `send` blocks on a full buffer before `RESOURCE_EXHAUSTED`, or (right after"
              + " start) for the slot map before `UNAVAILABLE`; zero fails at once");

  public static final ClientSetting<Integer> MAX_INBOUND_BYTES =
      new ClientSetting<>(
          "maxInboundBytes",
          16 << 20,
          ClientSetting::bytes,
          b -> null,
          "the largest response accepted (a consume answers with up to about 4 MiB)");

  public static final ClientSetting<List<ClientInterceptor>> INTERCEPTORS =
      new ClientSetting<>(
          "intercept(...)",
          List.of(),
          i -> "none",
          i -> null,
          "interceptors added to every call (credentials, tracing, ...); each call adds more");

  public static final ClientSetting<Optional<ClientTls>> TLS =
      new ClientSetting<>(
          "tls(ca[, cert, key])",
          Optional.empty(),
          t -> t.map(ClientTls::toString).orElse("plaintext"),
          t -> t == null ? "TLS settings must be given (Optional.empty() for plaintext)" : null,
          "TLS to the nodes: the CA file (PEM) their certificates are checked against, with"
              + " hostname verification; and the client's certificate chain and PKCS#8 key (PEM)"
              + " for a node in `mtls` mode; read at `build()`, a bad file refused naming it");

  /** Every setting, in README's order. */
  public static final List<ClientSetting<?>> ALL =
      List.of(
          SERVERS,
          DEADLINE,
          ATTEMPT_TIMEOUT,
          INITIAL_BACKOFF,
          MAX_BACKOFF,
          FAILED_NODE_QUARANTINE,
          BATCH_BYTES,
          LINGER,
          MAX_IN_FLIGHT,
          BUFFER_BYTES,
          MAX_BLOCK,
          MAX_INBOUND_BYTES,
          TLS,
          INTERCEPTORS);
}
