package io.raftlog.server;

import io.raftlog.collector.OtlpHttpHandler;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.console.Console;
import io.raftlog.http.HttpEndpoint;
import io.raftlog.metrics.NodeMetrics;
import io.raftlog.wire.HostPort;
import java.io.IOException;

/**
 * The node's HTTP surface on {@code http.port}: the {@link HttpEndpoint}, with {@code /metrics}
 * routed to the node's meters (404 with {@code metrics.enabled=false}), {@code /v1/logs} to
 * OTLP/HTTP logs in ({@link OtlpHttpHandler}, when {@code otlp.enabled}) and the rest to the {@link
 * Console}. Made and closed by {@link RaftlogServer}.
 */
final class NodeHttp implements AutoCloseable {
  private final HttpEndpoint endpoint;
  private final Console console;

  private NodeHttp(HttpEndpoint endpoint, Console console) {
    this.endpoint = endpoint;
    this.console = console;
  }

  /**
   * Listens on {@code http.port} of the client address's host; null when the port is 0.
   *
   * @param metrics the node's meters, or null when they are off
   * @param otlp OTLP/HTTP logs in ({@code POST /v1/logs}), or null with {@code otlp.enabled=false}
   * @param nodeCalls the credentials of the console's calls to the node's own gRPC port
   */
  static NodeHttp start(
      NodeConfig config,
      String clientAddress,
      NodeMetrics metrics,
      OtlpHttpHandler otlp,
      io.grpc.ChannelCredentials nodeCalls)
      throws IOException {
    int port = config.get(ConfigKeys.HTTP_PORT);
    if (port == 0) {
      return null;
    }
    HttpEndpoint endpoint =
        HttpEndpoint.start(
            HostPort.parse(clientAddress).host(), port, config.get(ConfigKeys.NODE_ID));
    endpoint.route(
        "/metrics",
        exchange -> {
          if (metrics != null) {
            metrics.serve(exchange);
          } else {
            try (exchange) {
              exchange.sendResponseHeaders(404, -1);
            }
          }
        });
    if (otlp != null) {
      endpoint.route(OtlpHttpHandler.PREFIX, otlp);
    }
    try {
      return new NodeHttp(endpoint, Console.mount(endpoint::route, config, nodeCalls));
    } catch (RuntimeException e) {
      endpoint.close();
      throw e;
    }
  }

  /** host:port it listens on. */
  String address() {
    return endpoint.address();
  }

  @Override
  public void close() throws InterruptedException {
    endpoint.close();
    console.close();
  }
}
