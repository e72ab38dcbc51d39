package io.raftlog.replication;

import io.raftlog.config.Peer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every group a node leads to another replica before the node stops, so the other nodes take
 * over at once (JRaft's leadership transfer: the target is caught up, then told to start its
 * election now) instead of after an election timeout, and the stopping leader never stops while its
 * clients' writes wait on it.
 *
 * <p>Each group goes to the replica {@link LeadershipTargets} chooses (live, serving, leading the
 * fewest), so the leaderships spread over the nodes that stay. A transfer JRaft gives up on (the
 * target did not win in an election timeout) is asked again. Runs on the caller's thread and
 * returns when this node leads nothing, when no replica can take what it still leads, or when the
 * budget is spent.
 */
final class LeadershipHandOff {
  private static final Logger LOG = LoggerFactory.getLogger(LeadershipHandOff.class);

  /** How often the members are looked at while transfers run. */
  private static final long POLL_MS = 20;

  /** A transfer still not done after this long is asked again (JRaft gives up on its own). */
  private static final long ASK_AGAIN_MS = 1_000;

  private final List<GroupMember> members;
  private final LeadershipTargets targets;

  LeadershipHandOff(List<GroupMember> members, LeadershipTargets targets) {
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
      Map<String, Integer> led = LeadershipTargets.leaderCounts(members);
      boolean anyTarget = false;
      for (GroupMember m : leading) {
        Long at = askedAt.get(m.groupId());
        if (at != null && now - at < TimeUnit.MILLISECONDS.toNanos(ASK_AGAIN_MS)) {
          anyTarget = true; // asked lately: wait for it
          continue;
        }
        Peer to = targets.choose(m, led);
        if (to == null) {
          LOG.warn("{}: no live replica that serves can take the lead", m.groupId());
          continue;
        }
        anyTarget = true;
        askedAt.put(m.groupId(), now);
        if (m.transferLeadershipTo(to, "this node is stopping")) {
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
}
