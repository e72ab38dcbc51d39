package io.raftlog.config;

import io.raftlog.wire.HostPort;
import java.nio.file.Path;
import java.util.List;

/**
 * Every key of a node's properties file, in the order README's configuration table lists them. Add
 * a key here and to {@link #ALL}, read it with {@link NodeConfig#get}; {@code ConfigDocsTest} then
 * asks for its row in README.md and its line in the {@code cluster-config/} files.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  public static final ConfigKey<String> NODE_ID =
      ConfigKey.required(
          "node.id",
          id -> id,
          "this node's id, unique in the cluster (one of the ids in `cluster.peers` when given)");

  public static final ConfigKey<Path> DATA_DIR =
      ConfigKey.required(
          "data.dir",
          Path::of,
          "RocksDB store, Raft log, Raft metadata, snapshots; `--data-dir` overrides it");

  public static final ConfigKey<String> NODE_RAFT_ADDRESS =
      ConfigKey.optional(
          "node.raft-address",
          HostPort::check,
          "",
          "host:port this node's Raft transport listens on and the others reach it at; taken from"
              + " `cluster.peers` when this node is there");

  public static final ConfigKey<Integer> NODE_RAFT_LISTEN_PORT =
      ConfigKey.nonNegativeInt(
          "node.raft-listen-port",
          0,
          "the port the Raft transport binds (every interface), when the others reach it through"
              + " another (NAT, a proxy or sidecar in front); 0: the port of the Raft address");

  public static final ConfigKey<String> NODE_CLIENT_ADDRESS =
      ConfigKey.optional(
          "node.client-address",
          HostPort::check,
          "",
          "host:port of this node's gRPC API, as clients and the other nodes reach it; taken from"
              + " `cluster.peers` when this node is there");

  public static final ConfigKey<List<Peer>> CLUSTER_PEERS =
      ConfigKey.optional(
          "cluster.peers",
          Peer::parseList,
          List.of(),
          "the nodes that form a new cluster, as `id@raft-host:port@client-host:port`, comma"
              + " separated, the same on each of them; a node that joins a running cluster gives"
              + " `cluster.join` instead");

  public static final ConfigKey<List<String>> CLUSTER_JOIN =
      ConfigKey.optional(
          "cluster.join",
          HostPort::checkList,
          List.of(),
          "client addresses (host:port, comma separated) of running nodes; a node with no data"
              + " joins the cluster through the first that answers");

  public static final ConfigKey<Integer> CLUSTER_SHARDS =
      ConfigKey.positiveInt(
          "cluster.shards",
          6,
          "Raft groups the streams are spread over; fixed when the cluster is first formed, the same"
              + " on every node");

  public static final ConfigKey<Integer> CLUSTER_REPLICATION =
      ConfigKey.positiveInt(
          "cluster.replication",
          3,
          "replicas of each shard (at most the number of nodes); the same on every node");

  public static final ConfigKey<Boolean> STREAMS_AUTO_CREATE =
      ConfigKey.bool(
          "streams.auto-create",
          true,
          "a write to a stream that does not exist creates it; `false`: only `CreateStream` does");

  public static final ConfigKey<Integer> BALANCE_INTERVAL_MS =
      ConfigKey.positiveInt(
          "balance.interval-ms",
          2000,
          "how often a node hands a shard's leadership to a node that leads two fewer shards");

  public static final ConfigKey<Integer> REBALANCE_MAX_CONCURRENT_MOVES =
      ConfigKey.positiveInt(
          "rebalance.max-concurrent-moves",
          1,
          "replica moves (joins, drains, repairs, balancing) the meta group's leader runs at once");

  public static final ConfigKey<Long> REBALANCE_MAX_BYTES_PER_SEC =
      ConfigKey.nonNegativeLong(
          "rebalance.max-bytes-per-sec",
          0L,
          "snapshot bytes a node sends per second to replicas catching up (a move, a wiped"
              + " follower); 0: no limit");

  public static final ConfigKey<Long> NODES_DEAD_AFTER_MS =
      ConfigKey.nonNegativeLong(
          "nodes.dead-after-ms",
          0L,
          "a node unreachable this long is removed as dead and its replicas re-made on the others"
              + " (0: never by itself; `raftlog nodes remove N --dead` does it)");

  public static final ConfigKey<Integer> ELECTION_TIMEOUT_MS =
      ConfigKey.positiveInt(
          "raft.election-timeout-ms",
          600,
          "a follower that hears from no leader this long starts an election (the leader sends"
              + " heartbeats every third of it)");

  public static final ConfigKey<Integer> MAX_ELECTION_DELAY_MS =
      ConfigKey.positiveInt(
          "raft.max-election-delay-ms",
          300,
          "plus a random delay up to this, so followers rarely compete");

  public static final ConfigKey<Integer> SNAPSHOT_INTERVAL_SECS =
      ConfigKey.positiveInt(
          "raft.snapshot-interval-secs", 600, "take a snapshot at least this often");

  public static final ConfigKey<Long> SNAPSHOT_ENTRIES =
      ConfigKey.positiveLong(
          "raft.snapshot-entries", 50_000L, "and after this many Raft entries since the last one");

  public static final ConfigKey<Long> SNAPSHOT_LOG_BYTES =
      ConfigKey.positiveLong(
          "raft.snapshot-log-bytes",
          32L << 20,
          "and once a shard's Raft log since the last one passes this many bytes, so the log (and"
              + " what retention dropped) is given back within that much writing");

  public static final ConfigKey<Long> RETENTION_MAX_AGE_MS =
      ConfigKey.nonNegativeLong(
          "retention.max-age-ms",
          0L,
          "a stream created without a retention age drops records older than this (0: keeps"
              + " them)");

  public static final ConfigKey<Long> RETENTION_MAX_BYTES =
      ConfigKey.nonNegativeLong(
          "retention.max-bytes",
          0L,
          "a stream created without a byte retention keeps about this many bytes (0: no limit)");

  public static final ConfigKey<Long> RETENTION_MAX_RECORDS =
      ConfigKey.nonNegativeLong(
          "retention.max-records",
          0L,
          "a stream created without a record retention keeps this many records (0: no limit)");

  public static final ConfigKey<Long> RETENTION_HOLD_MAX_BYTES =
      ConfigKey.positiveLong(
          "retention.hold-max-bytes",
          1L << 30,
          "a stream that holds records for its named consumers holds at most this many bytes;"
              + " past it, retention drops them anyway");

  public static final ConfigKey<Integer> RETENTION_CHECK_INTERVAL_MS =
      ConfigKey.positiveInt(
          "retention.check-interval-ms",
          5000,
          "how often a shard's leader checks its streams' retention and replicates what to drop");

  public static final ConfigKey<Integer> MAX_RECORD_BYTES =
      ConfigKey.positiveInt(
          "log.max-record-bytes", 1 << 20, "largest record (value + key + headers)");

  public static final ConfigKey<Integer> MAX_BATCH_BYTES =
      ConfigKey.positiveInt("log.max-batch-bytes", 4 << 20, "largest produce batch (encoded)");

  public static final ConfigKey<Integer> MAX_PRODUCERS =
      ConfigKey.positiveInt("log.max-producers", 10_000, "idempotent producers remembered");

  public static final ConfigKey<Long> MAX_INFLIGHT_BYTES =
      ConfigKey.positiveLong(
          "log.max-inflight-bytes",
          64L << 20,
          "unacknowledged produce bytes a leader holds before `RESOURCE_EXHAUSTED`");

  public static final ConfigKey<Long> STORAGE_MIN_FREE_BYTES =
      ConfigKey.positiveLong(
          "storage.min-free-bytes",
          256L << 20,
          "below this much usable space in `data.dir` the node takes no writes"
              + " (`RESOURCE_EXHAUSTED`), reports `NOT_SERVING` and hands its leaderships away");
  public static final ConfigKey<Integer> HANDSHAKE_TIMEOUT_MS =
      ConfigKey.positiveInt(
          "net.handshake-timeout-ms",
          10_000,
          "a client connection that has not finished its HTTP/2 handshake this long is closed");

  public static final ConfigKey<Integer> KEEPALIVE_TIME_MS =
      ConfigKey.positiveInt(
          "net.keepalive-time-ms",
          60_000,
          "the node pings a client connection quiet this long and closes it if no answer comes"
              + " within as long again (at least 10000)");

  public static final ConfigKey<Integer> SHUTDOWN_HAND_OFF_MS =
      ConfigKey.positiveInt(
          "shutdown.hand-off-ms",
          5_000,
          "a node told to stop (SIGTERM) first hands the groups it leads to other nodes, waiting"
              + " this long at most, so writes go on without waiting for an election");

  public static final ConfigKey<Integer> HTTP_PORT =
      ConfigKey.nonNegativeInt(
          "http.port",
          0,
          "port of this node's HTTP server, on the host of its client address: `/metrics`"
              + " (Prometheus), OTLP/HTTP logs in at `/v1/logs` and the web console at `/` (0: no"
              + " HTTP server)");

  public static final ConfigKey<Boolean> METRICS_ENABLED =
      ConfigKey.bool(
          "metrics.enabled",
          true,
          "record the node's meters (docs/metrics.md); `false`: `/metrics` answers 404 and the data"
              + " path counts nothing");

  public static final ConfigKey<String> LOGGING_FORMAT =
      ConfigKey.optional(
          "logging.format",
          ConfigKeys::logFormat,
          "text",
          "the node's log lines: `text`, for people, or `json`, one object per line for log"
              + " collectors");

  public static final ConfigKey<Boolean> OTLP_ENABLED =
      ConfigKey.bool(
          "otlp.enabled",
          true,
          "take OpenTelemetry logs: OTLP/gRPC `LogsService/Export` on the client port and OTLP/HTTP"
              + " `POST /v1/logs` on `http.port` (docs/log-collection.md)");

  public static final ConfigKey<String> OTLP_STREAM_PATTERN =
      ConfigKey.optional(
          "otlp.stream-pattern",
          ConfigKeys::streamPattern,
          io.raftlog.otlp.LogStreamNames.DEFAULT_PATTERN,
          "the stream an OTLP log record goes to; each `{attribute}` is replaced by that resource"
              + " attribute, characters outside the stream-name rule by `_`"
              + " (docs/log-collection.md)");

  public static final ConfigKey<String> TLS_API_MODE =
      ConfigKey.optional(
          "tls.api.mode",
          ConfigKeys::tlsMode,
          "off",
          "the gRPC port (clients, and the nodes' calls to each other): `off`, `tls` (the node"
              + " proves itself) or `mtls` (every caller shows a certificate from `tls.ca-file`)"
              + " (docs/security.md)");

  public static final ConfigKey<String> TLS_RAFT_MODE =
      ConfigKey.optional(
          "tls.raft.mode",
          ConfigKeys::tlsMode,
          "off",
          "the Raft port: `off`, `tls` or `mtls`; with either, only certificates of the cluster's"
              + " nodes (`tls.node-principal`) are accepted on it (docs/security.md)");

  public static final ConfigKey<String> TLS_PLAINTEXT =
      ConfigKey.optional(
          "tls.plaintext",
          ConfigKeys::plaintextUse,
          "refused",
          "plaintext beside TLS, for a rolling move to TLS: `refused`; `accepted` (both listeners"
              + " also take plaintext connections); `used` (accepted, and this node calls the"
              + " others in plaintext) (docs/security.md)");

  public static final ConfigKey<String> TLS_CERT_FILE =
      ConfigKey.optional(
          "tls.cert-file",
          f -> f,
          "",
          "PEM certificate chain of this node, its own certificate first; needed when a mode is"
              + " not `off`");

  public static final ConfigKey<String> TLS_KEY_FILE =
      ConfigKey.optional(
          "tls.key-file", f -> f, "", "PEM private key (PKCS#8) of `tls.cert-file`'s certificate");

  public static final ConfigKey<String> TLS_CA_FILE =
      ConfigKey.optional(
          "tls.ca-file",
          f -> f,
          "",
          "PEM bundle of the CAs whose certificates this node trusts, from clients and nodes");

  public static final ConfigKey<Integer> TLS_RELOAD_INTERVAL_MS =
      ConfigKey.positiveInt(
          "tls.reload-interval-ms",
          5_000,
          "how often the node reads its certificate, key and CA files again; changed files are"
              + " used for new connections without a restart");

  public static final ConfigKey<String> TLS_PRINCIPAL_FROM =
      ConfigKey.optional(
          "tls.principal-from",
          ConfigKeys::principalFrom,
          "cn",
          "what of a client certificate names its principal: `cn` (the subject's common name),"
              + " `san-uri` or `san-dns` (its first subject alternative name of that kind)");

  public static final ConfigKey<String> TLS_NODE_PRINCIPAL =
      ConfigKey.optional(
          "tls.node-principal",
          ConfigKeys::nodePrincipal,
          "node-{id}",
          "the principal a node's certificate carries, `{id}` standing for its node id: only"
              + " these may connect to the Raft port and make node-to-node calls");

  public static final ConfigKey<Integer> HEALTH_PLAINTEXT_PORT =
      ConfigKey.nonNegativeInt(
          "health.plaintext-port",
          0,
          "a plaintext port, on the host of the client address, serving only `grpc.health.v1`"
              + " (Kubernetes' `grpc:` probes while the API needs mTLS); 0: none");

  public static final ConfigKey<String> ACL_FILE =
      ConfigKey.optional(
          "acl.file",
          f -> f,
          "",
          "the access control list (docs/security.md); once set, a call is refused unless a line"
              + " grants it; empty: no authorization");

  public static final ConfigKey<Integer> ACL_RELOAD_INTERVAL_MS =
      ConfigKey.positiveInt(
          "acl.reload-interval-ms",
          5_000,
          "how often the node reads `acl.file` again; a changed file applies to the next call");

  private static String tlsMode(String v) {
    if (!v.equals("off") && !v.equals("tls") && !v.equals("mtls")) {
      throw new IllegalArgumentException("must be off, tls or mtls, not '" + v + "'");
    }
    return v;
  }

  private static String plaintextUse(String v) {
    if (!v.equals("refused") && !v.equals("accepted") && !v.equals("used")) {
      throw new IllegalArgumentException("must be refused, accepted or used, not '" + v + "'");
    }
    return v;
  }

  private static String principalFrom(String v) {
    if (!v.equals("cn") && !v.equals("san-uri") && !v.equals("san-dns")) {
      throw new IllegalArgumentException("must be cn, san-uri or san-dns, not '" + v + "'");
    }
    return v;
  }

  private static String nodePrincipal(String v) {
    if (!v.contains("{id}")) {
      throw new IllegalArgumentException("must contain {id}, not '" + v + "'");
    }
    return v;
  }

  private static String streamPattern(String v) {
    new io.raftlog.otlp.LogStreamNames(v); // throws, saying why, for a pattern giving bad names
    return v;
  }

  private static String logFormat(String v) {
    if (!v.equals("text") && !v.equals("json")) {
      throw new IllegalArgumentException("must be text or json, not '" + v + "'");
    }
    return v;
  }

  public static final List<ConfigKey<?>> ALL =
      List.of(
          NODE_ID,
          DATA_DIR,
          NODE_RAFT_ADDRESS,
          NODE_RAFT_LISTEN_PORT,
          NODE_CLIENT_ADDRESS,
          CLUSTER_PEERS,
          CLUSTER_JOIN,
          CLUSTER_SHARDS,
          CLUSTER_REPLICATION,
          STREAMS_AUTO_CREATE,
          BALANCE_INTERVAL_MS,
          REBALANCE_MAX_CONCURRENT_MOVES,
          REBALANCE_MAX_BYTES_PER_SEC,
          NODES_DEAD_AFTER_MS,
          ELECTION_TIMEOUT_MS,
          MAX_ELECTION_DELAY_MS,
          SNAPSHOT_INTERVAL_SECS,
          SNAPSHOT_ENTRIES,
          SNAPSHOT_LOG_BYTES,
          RETENTION_MAX_AGE_MS,
          RETENTION_MAX_BYTES,
          RETENTION_MAX_RECORDS,
          RETENTION_HOLD_MAX_BYTES,
          RETENTION_CHECK_INTERVAL_MS,
          MAX_RECORD_BYTES,
          MAX_BATCH_BYTES,
          MAX_PRODUCERS,
          MAX_INFLIGHT_BYTES,
          STORAGE_MIN_FREE_BYTES,
          HANDSHAKE_TIMEOUT_MS,
          KEEPALIVE_TIME_MS,
          SHUTDOWN_HAND_OFF_MS,
          HTTP_PORT,
          METRICS_ENABLED,
          LOGGING_FORMAT,
          OTLP_ENABLED,
          OTLP_STREAM_PATTERN,
          TLS_API_MODE,
          TLS_RAFT_MODE,
          TLS_PLAINTEXT,
          TLS_CERT_FILE,
          TLS_KEY_FILE,
          TLS_CA_FILE,
          TLS_RELOAD_INTERVAL_MS,
          TLS_PRINCIPAL_FROM,
          TLS_NODE_PRINCIPAL,
          HEALTH_PLAINTEXT_PORT,
          ACL_FILE,
          ACL_RELOAD_INTERVAL_MS);
}
