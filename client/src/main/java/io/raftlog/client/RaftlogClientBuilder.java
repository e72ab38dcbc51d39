package io.raftlog.client;

import io.grpc.ClientInterceptor;
import io.raftlog.wire.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Settings of a {@link RaftlogClient}, from {@link RaftlogClient#builder()}. Every one has a
 * default that suits a local three-node cluster; {@link ClientSettings} declares each with its
 * default and meaning, and README's client settings table shows them. A refused value throws {@link
 * IllegalArgumentException} at once. Not thread-safe; build the client once configured.
 */
public final class RaftlogClientBuilder {
  private ClientOptions options = ClientOptions.defaults();

  RaftlogClientBuilder() {}

  /**
   * Sets {@code setting} to {@code value}.
   *
   * @throws IllegalArgumentException if the setting refuses the value
   */
  public <T> RaftlogClientBuilder set(ClientSetting<T> setting, T value) {
    options = options.with(setting, value);
    return this;
  }

  /** {@link ClientSettings#SERVERS}: addresses ({@code host:port}) of some of the nodes. */
  public RaftlogClientBuilder servers(String... addresses) {
    return servers(Arrays.asList(addresses));
  }

  /** As {@link #servers(String...)}; also accepts comma-separated lists. */
  public RaftlogClientBuilder servers(List<String> addresses) {
    List<String> all = new ArrayList<>();
    for (String a : addresses) {
      for (String s : a.split(",")) {
        if (!s.isBlank()) {
          all.add(HostPort.check(s));
        }
      }
    }
    return set(ClientSettings.SERVERS, List.copyOf(all));
  }

  /** {@link ClientSettings#DEADLINE}. */
  public RaftlogClientBuilder deadline(Duration d) {
    return set(ClientSettings.DEADLINE, d);
  }

  /** {@link ClientSettings#ATTEMPT_TIMEOUT}. */
  public RaftlogClientBuilder attemptTimeout(Duration d) {
    return set(ClientSettings.ATTEMPT_TIMEOUT, d);
  }

  /** {@link ClientSettings#INITIAL_BACKOFF} and {@link ClientSettings#MAX_BACKOFF}. */
  public RaftlogClientBuilder backoff(Duration initial, Duration max) {
    return set(ClientSettings.INITIAL_BACKOFF, initial).set(ClientSettings.MAX_BACKOFF, max);
  }

  /** {@link ClientSettings#FAILED_NODE_QUARANTINE}. */
  public RaftlogClientBuilder failedNodeQuarantine(Duration d) {
    return set(ClientSettings.FAILED_NODE_QUARANTINE, d);
  }

  /** {@link ClientSettings#BATCH_BYTES}. */
  public RaftlogClientBuilder batchBytes(int bytes) {
    return set(ClientSettings.BATCH_BYTES, bytes);
  }

  /** {@link ClientSettings#LINGER}. */
  public RaftlogClientBuilder linger(Duration d) {
    return set(ClientSettings.LINGER, d);
  }

  /** {@link ClientSettings#MAX_IN_FLIGHT}. */
  public RaftlogClientBuilder maxInFlight(int n) {
    return set(ClientSettings.MAX_IN_FLIGHT, n);
  }

  /** {@link ClientSettings#BUFFER_BYTES}: a {@link Producer#send} beyond it blocks. */
  public RaftlogClientBuilder bufferBytes(long bytes) {
    return set(ClientSettings.BUFFER_BYTES, bytes);
  }

  /** {@link ClientSettings#MAX_BLOCK}: how long {@link Producer#send} may block. */
  public RaftlogClientBuilder maxBlock(Duration d) {
    return set(ClientSettings.MAX_BLOCK, d);
  }

  /** {@link ClientSettings#MAX_INBOUND_BYTES}. */
  public RaftlogClientBuilder maxInboundBytes(int bytes) {
    return set(ClientSettings.MAX_INBOUND_BYTES, bytes);
  }

  /**
   * {@link ClientSettings#TLS}: TLS to the nodes, their certificates checked against the CA
   * certificates (PEM) in {@code ca}; no client certificate (nodes in {@code tls} mode).
   */
  public RaftlogClientBuilder tls(Path ca) {
    return set(ClientSettings.TLS, Optional.of(ClientTls.of(ca)));
  }

  /**
   * {@link ClientSettings#TLS}: mutual TLS; the client also shows the certificate chain in {@code
   * cert} (PEM, leaf first) with its PKCS#8 key {@code key} (nodes in {@code mtls} mode). {@link
   * #build()} reads the files and refuses a bad one naming it.
   */
  public RaftlogClientBuilder tls(Path ca, Path cert, Path key) {
    return set(ClientSettings.TLS, Optional.of(ClientTls.of(ca, cert, key)));
  }

  /** {@link ClientSettings#INTERCEPTORS}: adds {@code more} to those added so far. */
  public RaftlogClientBuilder intercept(ClientInterceptor... more) {
    List<ClientInterceptor> all = new ArrayList<>(options.get(ClientSettings.INTERCEPTORS));
    all.addAll(Arrays.asList(more));
    return set(ClientSettings.INTERCEPTORS, List.copyOf(all));
  }

  /**
   * A client with these settings. Makes no call yet.
   *
   * @throws IllegalArgumentException if a TLS file cannot be used, naming it and the problem
   */
  public RaftlogClient build() {
    return new RaftlogClient(options);
  }
}
