package io.raftlog.console;

import com.sun.net.httpserver.HttpHandler;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The web console a node serves on its HTTP port: the page ({@code /}, from the jar) and its
 * read-only JSON endpoints ({@code /api/...}). It reads the cluster only through the node's own
 * gRPC API, as any client would: one channel to the node's client address, made at mount and closed
 * with the node; the node forwards what it cannot answer itself, so every page works from any node.
 *
 * <p>Owned by {@code RaftlogServer}, which mounts it on its HTTP server and closes it after that
 * server. Its handlers run on the HTTP server's threads; the gRPC calls they make block them (a
 * live tail holds one for up to {@link TailEvents#MAX_DURATION_MS}, and at most {@link
 * TailEvents#MAX_TAILS} do at once, so the other pages always have threads left).
 */
public final class Console implements AutoCloseable {
  private final ManagedChannel channel;

  private Console(ManagedChannel channel) {
    this.channel = channel;
  }

  /**
   * Adds the console's routes through {@code route} (the HTTP server's {@code route(prefix,
   * handler)}), reading the cluster through the gRPC API at the node's client address, with the
   * node's own credentials ({@code nodeCalls}: TLS with its certificate, or plaintext).
   */
  public static Console mount(
      BiConsumer<String, HttpHandler> route, NodeConfig config, ChannelCredentials nodeCalls) {
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(config.self().clientAddress(), nodeCalls)
            .maxInboundMessageSize(config.get(ConfigKeys.MAX_BATCH_BYTES) + (1 << 20))
            .build();
    LogGrpc.LogBlockingStub blocking = LogGrpc.newBlockingStub(channel);
    String nodeId = config.get(ConfigKeys.NODE_ID);
    route.accept("/", Exchanges.getOnly(new StaticFiles()));
    route.accept("/api/", Exchanges.getOnly(new JsonEndpoints(blocking, nodeId)));
    route.accept(
        "/api/tail", Exchanges.getOnly(new TailEvents(blocking, LogGrpc.newStub(channel))));
    return new Console(channel);
  }

  /** Ends the live tails (their gRPC calls fail) and closes the channel. */
  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
  }
}
