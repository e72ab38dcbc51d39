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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether another node says it serves (its {@code grpc.health.v1} status is SERVING), asked over
 * the node's {@link PeerChannels}: the balancer and the disk guard hand leaderships only to such
 * nodes, so a node with a full disk is not handed a shard it would hand straight back. Answers are
 * kept for a second. Called on the balancer's and the disk guard's threads; it blocks up to {@link
 * #DEADLINE_MS}. Logs one INFO line when a peer it asks about stops serving and when it serves
 * again.
 */
final class PeerHealth implements Predicate<Peer> {
  static final long DEADLINE_MS = 500;
  private static final long KEEP_MS = 1_000;

  // servingSinceMs: when the peer was first seen SERVING after it was not (or not yet asked).
  private record Answer(boolean serving, long atMs, long servingSinceMs) {}

  private static final Logger LOG = LoggerFactory.getLogger(PeerHealth.class);

  private final PeerChannels channels;
  private final String self;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  PeerHealth(PeerChannels channels, String self) {
    this.channels = channels;
    this.self = self;
  }

  @Override
  public boolean test(Peer peer) {
    return answer(peer).serving();
  }

  /**
   * Whether the peer has been SERVING for at least {@code ms} as this node saw it: a node that has
   * just started serves before its replicas have caught up, and a leadership handed to it then
   * holds the shard's writes while it catches up (JRaft's transfer waits for it) and may step down
   * again on a busy machine (the rolling restart's longest stalls).
   */
  boolean servingFor(Peer peer, long ms) {
    Answer a = answer(peer);
    return a.serving() && a.atMs() - a.servingSinceMs() >= ms;
  }

  private Answer answer(Peer peer) {
    long now = System.currentTimeMillis();
    Answer a = answers.get(peer.id());
    if (a == null || now - a.atMs() > KEEP_MS) {
      boolean serving = ask(peer);
      // A peer serving at the first answer counts as serving all along: only one seen coming
      // back (not serving, then serving) has to settle first.
      long since = !serving ? now : a == null ? 0 : a.serving() ? a.servingSinceMs() : now;
      // One line per change, not per probe (nor for the first look: a node starting with the
      // cluster is not serving yet, and that is no news).
      if (a != null && a.serving() != serving) {
        if (serving) {
          LOG.info("node {} sees node {} serving", self, peer.id());
        } else {
          LOG.info("node {} lost node {}: unreachable or not serving", self, peer.id());
        }
      }
      a = new Answer(serving, now, since);
      answers.put(peer.id(), a);
    }
    return a;
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
