package io.raftlog.service;

import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.raftlog.config.Peer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Whether another node says it serves (its {@code grpc.health.v1} status is SERVING), asked over
 * the node's {@link PeerChannels}: the balancer and the disk guard hand leaderships only to such
 * nodes, so a node with a full disk is not handed a shard it would hand straight back. Answers are
 * kept for a second. Called on the balancer's and the disk guard's threads; it blocks up to {@link
 * #DEADLINE_MS}.
 */
final class PeerHealth implements Predicate<Peer> {
  static final long DEADLINE_MS = 500;
  private static final long KEEP_MS = 1_000;

  private record Answer(boolean serving, long atMs) {}

  private final PeerChannels channels;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  PeerHealth(PeerChannels channels) {
    this.channels = channels;
  }

  @Override
  public boolean test(Peer peer) {
    long now = System.currentTimeMillis();
    Answer a = answers.get(peer.id());
    if (a == null || now - a.atMs() > KEEP_MS) {
      a = new Answer(ask(peer), now);
      answers.put(peer.id(), a);
    }
    return a.serving();
  }

  private boolean ask(Peer peer) {
    try {
      return HealthGrpc.newBlockingStub(channels.channel(peer.clientAddress()))
              .withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus()
          == ServingStatus.SERVING;
    } catch (StatusRuntimeException unreachableOrNotServing) {
      return false;
    }
  }
}
