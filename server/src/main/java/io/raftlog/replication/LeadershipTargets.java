package io.raftlog.replication;

import io.raftlog.config.Peer;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Chooses the replica a group's leadership goes to, for every part that hands one over: the {@link
 * LeaderBalancer}, the {@link DiskGuard} of a full node and the {@link LeadershipHandOff} of a
 * stopping one. The choice is a live replica (one the group's leader heard from lately) other than
 * this node, that the server accepts (its health is SERVING, so a full or stopping node is never
 * handed a group it would hand straight back), leading the fewest groups as this node sees them;
 * ties go to the lower id. One per node, owned by {@link Replicas}; safe on any thread, and {@link
 * #choose} may block while the server's predicate asks a peer.
 */
final class LeadershipTargets {
  private final String self;
  private volatile Predicate<Peer> accepted = p -> true;

  LeadershipTargets(String self) {
    this.self = self;
  }

  /** Only replicas this accepts are chosen from now on (until called: any live replica). */
  void acceptOnly(Predicate<Peer> accepted) {
    this.accepted = accepted;
  }

  /**
   * How many of {@code members}' groups each node leads, as this node's members see their leaders;
   * a node leading none is absent.
   */
  static Map<String, Integer> leaderCounts(Collection<GroupMember> members) {
    Map<String, Integer> led = new HashMap<>();
    for (GroupMember m : members) {
      Peer leader = m.leader();
      if (leader != null) {
        led.merge(leader.id(), 1, Integer::sum);
      }
    }
    return led;
  }

  /**
   * The replica to hand {@code member}'s group to, given how many groups each node leads; null when
   * no live replica is accepted. Meaningful only while this node leads the group (a follower knows
   * of no live replicas).
   */
  Peer choose(GroupMember member, Map<String, Integer> led) {
    Predicate<Peer> ok = accepted;
    return member.alivePeers().stream()
        .filter(p -> !p.id().equals(self))
        .sorted(
            Comparator.comparing((Peer p) -> led.getOrDefault(p.id(), 0)).thenComparing(Peer::id))
        .filter(ok)
        .findFirst()
        .orElse(null);
  }
}
