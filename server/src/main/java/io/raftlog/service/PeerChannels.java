package io.raftlog.service;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived gRPC channel per other node's client address, for forwarding and GetCluster, with
 * the credentials the server hands down (TLS with the node's own certificate, or plaintext).
 */
final class PeerChannels implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final int maxMessageBytes;
  private final ChannelCredentials credentials;

  PeerChannels(int maxMessageBytes, ChannelCredentials credentials) {
    this.maxMessageBytes = maxMessageBytes;
    this.credentials = credentials;
  }

  ManagedChannel channel(String address) {
    return channels.computeIfAbsent(
        address,
        a ->
            NettyChannelBuilder.forTarget(a, credentials)
                .maxInboundMessageSize(maxMessageBytes)
                .build());
  }

  @Override
  public void close() throws InterruptedException {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel c : channels.values()) {
      c.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
