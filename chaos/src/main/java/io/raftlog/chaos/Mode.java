package io.raftlog.chaos;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a chaos run does to the cluster every interval. Each fault first picks a shard, round robin;
 * "the leader" is that shard's leader. Since every node leads some shards, every mode takes the
 * leaders of some shards away: the streams of those shards are the fault's affected streams. On the
 * command line a mode is its {@link #label()} ({@code isolate-leader}).
 */
public enum Mode {
  /** kill -9 the node that leads the picked shard, restart it after the downtime. */
  LEADER,
  /** kill -9 a node that follows the picked shard (it leads others), restart it likewise. */
  FOLLOWER,
  /**
   * SIGSTOP the node that leads the picked shard for longer than the election timeout, then
   * SIGCONT: each shard it led must have elected a leader in a newer term.
   */
  PAUSE,
  /** kill -9 all three nodes at once, restart them after the downtime. */
  ALL,
  /** kill -9 a random whole node (leading some shards, following others), restart it likewise. */
  NODE,
  /** SIGTERM a random node (a clean shutdown), start it again after the downtime. */
  RESTART,
  /**
   * Cut the picked shard's leader from both other nodes, both ways, for the downtime; clients still
   * reach it. It must step down (a newer term in every shard it led, once healed).
   */
  ISOLATE_LEADER,
  /** The same to a node that follows the picked shard (it leads others). */
  ISOLATE_FOLLOWER,
  /**
   * A majority/minority split: a random node cut from both others and from the clients, who sit
   * with the majority. With three nodes the minority is one node, so the nodes see what isolate
   * shows them; what differs is the client's side: it cannot reach the minority at all.
   */
  SPLIT,
  /** The picked shard's leader can no longer send to the other nodes but still receives. */
  ONE_WAY,
  /** The picked shard's leader's links cut and healed at random every 0.2-1 s for the downtime. */
  FLAP,
  /**
   * Fill the disk of a node that follows the picked shard (it leads others) for the downtime: it
   * must refuse writes with RESOURCE_EXHAUSTED, report NOT_SERVING and hand its leaderships away;
   * once space is freed it must catch up by itself. Each node's data is on a tmpfs of its own.
   */
  DISK,
  /** The same to the picked shard's leader. */
  DISK_LEADER,
  /**
   * Each interval one of kills, pauses, restarts and, where they can be made, the partitions and
   * the full disks, at random.
   */
  MIXED,
  /**
   * Membership under load, on five nodes or more: every other fault a node joins (a new one, or
   * from the second time on one with a wiped data directory and a new id on the addresses of the
   * node drained before) while the picked shard's leader is drained (DrainNode), then removed once
   * DRAINED (RemoveNode) and stopped; the faults between kill -9 the picked shard's leader and
   * restart it.
   */
  MOVE,
  /**
   * kill -9 the picked shard's leader, remove it as dead (RemoveNode with dead), start a fresh node
   * (a new id, an empty data directory) that joins through cluster.join, and wait until every shard
   * is back to its replication factor.
   */
  REPLACE;

  /** The name on the command line and in the summary line, e.g. {@code isolate-leader}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Whether the nodes must run in network namespaces (mixed uses them only when it can). */
  public boolean needsNetwork() {
    return this == ISOLATE_LEADER
        || this == ISOLATE_FOLLOWER
        || this == SPLIT
        || this == ONE_WAY
        || this == FLAP;
  }

  /**
   * Whether the mode changes the cluster's members: its nodes are then those GetCluster lists, not
   * those it started with.
   */
  public boolean changesMembers() {
    return this == MOVE || this == REPLACE;
  }

  /**
   * Nodes a run starts with unless told: five where members change (a node can leave with every
   * shard keeping three replicas), else three.
   */
  public int defaultNodes() {
    return changesMembers() ? 5 : 3;
  }

  /** Whether the nodes' data must be on small filesystems of their own (mixed: when it can). */
  public boolean needsDisks() {
    return this == DISK || this == DISK_LEADER;
  }

  /** Whether the mode's faults leave a leader that must step down (the summary's stepped_down). */
  public boolean checksStepDown() {
    return this == PAUSE || this == MIXED || needsDisks() || (needsNetwork() && this != FLAP);
  }

  /** {@code label}, any case, {@code _} for {@code -} allowed; else a message listing the modes. */
  public static Mode parse(String label) {
    String wanted = label.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (Mode m : values()) {
      if (m.name().equals(wanted)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown mode '" + label + "'; one of: " + labels());
  }

  /** Every mode's label, comma separated. */
  public static String labels() {
    return Arrays.stream(values()).map(Mode::label).collect(Collectors.joining(", "));
  }
}
