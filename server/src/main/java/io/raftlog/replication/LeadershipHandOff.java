package io.raftlog.replication;

import io.raftlog.config.Peer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every group a node leads to another replica before the node stops, so the other nodes take
 * over at once (JRaft's leadership transfer: the target is caught up, then told to start its
 * election now) instead of after an election timeout, and the stopping leader never stops while its
 * clients' writes wait on it.
 *
 * <p>Each group goes to the live replica that leads the fewest groups (as this node sees them)
 * among those {@code targets} accepts, so the leaderships spread over the nodes that stay. A
 * transfer JRaft gives up on (the target did not win in an election timeout) is asked again. Runs
 * on the caller's thread and returns when this node leads nothing, when no replica can take what it
 * still leads, or when the budget is spent.
 */
final class LeadershipHandOff {
  private static final Logger LOG = LoggerFactory.getLogger(LeadershipHandOff.class);

  /** How often the members are looked at while transfers run. */
  private static final long POLL_MS = 20;

  /** A transfer still not done after this long is asked again (JRaft gives up on its own). */
  private static final long ASK_AGAIN_MS = 1_000;

  private final String self;
  private final List<GroupMember> members;
  private final Predicate<Peer> targets;

  LeadershipHandOff(String self, List<GroupMember> members, Predicate<Peer> targets) {
    this.self = self;
    this.members = List.copyOf(members);
    this.targets = targets;
  }

  /**
   * Hands the groups away and waits up to {@code budgetMs} for this node to lead none of them.
   *
   * @return the groups this node still leads (empty when every hand-off took)
   */
  List<String> run(long budgetMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMs);
    Map<String, Long> askedAt = new HashMap<>();
    while (true) {
      List<GroupMember> leading = members.stream().filter(GroupMember::isLeader).toList();
      long now = System.nanoTime();
      if (leading.isEmpty() || now - deadline >= 0) {
        return leading.stream().map(GroupMember::groupId).toList();
      }
      Map<String, Integer> led = leaderCounts();
      boolean anyTarget = false;
      for (GroupMember m : leading) {
        Long at = askedAt.get(m.groupId());
        if (at != null && now - at < TimeUnit.MILLISECONDS.toNanos(ASK_AGAIN_MS)) {
          anyTarget = true; // asked lately: wait for it
          continue;
        }
        Peer to = target(m, led);
        if (to == null) {
          LOG.warn("{}: no live replica that serves can take the lead", m.groupId());
          continue;
        }
        anyTarget = true;
        askedAt.put(m.groupId(), now);
        LOG.info("{}: handing leadership to node {} before stopping", m.groupId(), to.id());
        if (m.transferLeadershipTo(to)) {
          led.merge(to.id(), 1, Integer::sum);
        }
      }
      if (!anyTarget) {
        // Nobody can take what is left (the last node of a stopping cluster): waiting won't help.
        return leading.stream().map(GroupMember::groupId).toList();
      }
      Thread.sleep(POLL_MS);
    }
  }

  /** How many of these groups each node leads, as this node's members see their leaders. */
  private Map<String, Integer> leaderCounts() {
    Map<String, Integer> led = new HashMap<>();
    for (GroupMember m : members) {
      Peer leader = m.leader();
      if (leader != null) {
        led.merge(leader.id(), 1, Integer::sum);
      }
    }
    return led;
  }

  private Peer target(GroupMember m, Map<String, Integer> led) {
    List<Peer> candidates = new ArrayList<>();
    for (Peer p : m.alivePeers()) {
      if (!p.id().equals(self) && targets.test(p)) {
        candidates.add(p);
      }
    }
    return candidates.stream()
        .min(Comparator.comparing((Peer p) -> led.getOrDefault(p.id(), 0)).thenComparing(Peer::id))
        .orElse(null);
  }
}
