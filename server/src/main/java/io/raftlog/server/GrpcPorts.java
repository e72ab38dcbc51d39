package io.raftlog.server;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.metrics.NodeMetrics;
import io.raftlog.service.LeaderHeaders;
import io.raftlog.service.LogService;
import io.raftlog.service.MalformedRequests;
import io.raftlog.wire.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The node's gRPC servers: on the client address (or a builder handed in from outside) the log
 * service, health, OTLP logs in and reflection, with the node's limits, keepalive and meters; and,
 * with {@code health.plaintext-port}, a second server on that port of the client address's host,
 * plaintext whatever {@code tls.api.mode} says, serving {@code grpc.health.v1} only (the same
 * statuses): Kubernetes' {@code grpc:} probes cannot show a certificate.
 *
 * <p>Owned by {@code RaftlogServer}: started once its services exist, closed after the health
 * service has entered its terminal state.
 */
final class GrpcPorts implements AutoCloseable {
  private final Server api;
  private final Server healthOnly; // null with health.plaintext-port=0

  private GrpcPorts(Server api, Server healthOnly) {
    this.api = api;
    this.healthOnly = healthOnly;
  }

  /**
   * Adds the node's services to {@code builder} and starts it.
   *
   * @param metrics the node's meters, or null when they are off
   */
  static GrpcPorts start(
      NodeConfig config,
      ServerBuilder<?> builder,
      LogService service,
      HealthStatusManager health,
      OtlpIn otlp,
      OpenCalls openCalls,
      NodeMetrics metrics)
      throws IOException {
    builder
        .addService(
            ServerInterceptors.intercept(
                MalformedRequests.guard(service.bindService()),
                new LeaderHeaders(config.get(ConfigKeys.NODE_ID), service.metaLeaderAddress())))
        .addService(health.getHealthService())
        .addServices(otlp.services())
        // v1 for buf curl and newer grpcurl, v1alpha for older clients.
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(ProtoReflectionService.newInstance())
        // Above the batch limit, so an oversized batch gets our INVALID_ARGUMENT, not gRPC's.
        .maxInboundMessageSize(config.get(ConfigKeys.MAX_BATCH_BYTES) + (1 << 20));
    builder.addStreamTracerFactory(openCalls);
    TransportSettings.permitClientKeepAlive(builder);
    TransportSettings.closeStaleConnections(builder, config);
    if (metrics != null) {
      builder.intercept(metrics.interceptor());
      builder.addStreamTracerFactory(metrics.streamTracer());
    }
    Server started = builder.build().start();
    try {
      return new GrpcPorts(started, healthOnly(config, health));
    } catch (IOException | RuntimeException e) {
      started.shutdownNow();
      throw e;
    }
  }

  private static Server healthOnly(NodeConfig config, HealthStatusManager health)
      throws IOException {
    int port = config.get(ConfigKeys.HEALTH_PLAINTEXT_PORT);
    if (port == 0) {
      return null;
    }
    String host = HostPort.parse(config.self().clientAddress()).host();
    ServerBuilder<?> b =
        NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
            .addService(health.getHealthService());
    TransportSettings.closeStaleConnections(b, config);
    try {
      return b.build().start();
    } catch (IOException e) {
      throw new IOException(
          ConfigKeys.HEALTH_PLAINTEXT_PORT.name() + " " + host + ":" + port + ": " + e.getMessage(),
          e);
    }
  }

  void awaitTermination() throws InterruptedException {
    api.awaitTermination();
  }

  @Override
  public void close() throws InterruptedException {
    if (healthOnly != null) {
      healthOnly.shutdownNow();
    }
    api.shutdown();
    if (!api.awaitTermination(5, TimeUnit.SECONDS)) {
      api.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
